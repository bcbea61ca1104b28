/// Where a Slack webhook installed through "Install using OAuth" posts (SPEC §3, §11): read-only
/// metadata kept with the webhook and shown by reads. The incoming-webhook URL itself is the
/// webhook's `url` (a credential, masked in reads); the access token is never kept.
public struct SlackInstallation: Codable, Sendable, Equatable {
    public var teamID: String
    public var teamName: String
    /// `#general`
    public var channel: String
    public var channelID: String
    /// Slack's page for managing the installation ("Manage in Slack").
    public var configurationURL: String

    public init(teamID: String, teamName: String, channel: String, channelID: String, configurationURL: String) {
        self.teamID = teamID
        self.teamName = teamName
        self.channel = channel
        self.channelID = channelID
        self.configurationURL = configurationURL
    }

    /// The webhook's name: `#channel (team)`, then ` 2`, ` 3`, … for the `attempt`-th try when
    /// the name is taken.
    public func webhookName(attempt: Int = 1) -> String {
        let channel = self.channel.hasPrefix("#") ? self.channel : "#" + self.channel
        return "\(channel) (\(teamName))" + (attempt > 1 ? " \(attempt)" : "")
    }
}
