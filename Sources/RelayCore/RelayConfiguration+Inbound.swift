extension RelayConfiguration {
    /// `inbound:` — webhooks the relay receives from sources (SPEC §12).
    public struct Inbound: Sendable, Equatable, Decodable {
        /// Largest inbound request body; `413` above it (GitHub sends up to 25 MiB).
        public var maxBodyBytes = 26_214_400
        /// How long "Change secret token" keeps the previous secret by default.
        public var rotationGrace = RelayDuration.seconds(86_400)
        /// How far a Standard Webhooks `webhook-timestamp` may be from now.
        public var timestampTolerance = RelayDuration.seconds(300)

        public init() {}

        public init(from decoder: any Decoder) throws {
            let reader = try ConfigReader(decoder, section: "inbound")
            maxBodyBytes = try reader.value("maxBodyBytes", default: maxBodyBytes)
            rotationGrace = try reader.value("rotationGrace", default: rotationGrace)
            timestampTolerance = try reader.value("timestampTolerance", default: timestampTolerance)
            guard maxBodyBytes >= 1024 else { throw reader.invalid("maxBodyBytes", "must be at least 1024") }
            guard timestampTolerance.milliseconds >= 1000 else {
                throw reader.invalid("timestampTolerance", "must be at least 1s")
            }
        }
    }
}
