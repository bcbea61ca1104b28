extension Webhook {
    /// The API names of the members in which this webhook differs from `before`, in the API's
    /// order: what an audit event's `changes` lists, never the values.
    public func changedFields(since before: Webhook) -> [String] {
        var fields: [String] = []
        func compare<T: Equatable>(_ name: String, _ member: KeyPath<Webhook, T>) {
            if self[keyPath: member] != before[keyPath: member] { fields.append(name) }
        }
        compare("name", \.name)
        compare("url", \.url)
        compare("events", \.events)
        compare("format", \.format)
        compare("secrets", \.secrets)
        compare("authorization", \.authorization)
        compare("headers", \.headers)
        compare("enabled", \.enabled)
        compare("allowPrivateNetwork", \.allowPrivateNetwork)
        compare("hubSignature", \.hubSignature)
        compare("splunk", \.splunk)
        compare("batch", \.batch)
        compare("auth", \.auth)
        compare("clientCertificate", \.clientCertificate)
        return fields
    }
}

extension Source {
    /// The API names of the members in which this source differs from `before`: `name`, `secret`
    /// (a new token) and `status`; never the values.
    public func changedFields(since before: Source) -> [String] {
        var fields: [String] = []
        if name != before.name { fields.append("name") }
        if secrets.current != before.secrets.current { fields.append("secret") }
        if secrets.status != before.secrets.status { fields.append("status") }
        return fields
    }
}
