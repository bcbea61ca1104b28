import Foundation

/// Destinations that say more in the response body than the status does (SPEC §5.1, §6).
public enum ResponseDialect: Sendable, Equatable {
    /// Status codes only.
    case standard
    /// Slack incoming webhooks: plain-text error strings such as `channel_not_found`.
    case slack
    /// Splunk HTTP Event Collector: `{"text": …, "code": N}`.
    case splunkHEC

    /// The dialect of `webhook`'s destination.
    public init(_ webhook: Webhook) {
        if webhook.kind == .slack {
            self = .slack
        } else {
            self = webhook.format == .splunkHEC ? .splunkHEC : .standard
        }
    }

    /// Slack error strings that mean the webhook cannot work until someone fixes it.
    static let slackPausing: Set<String> = [
        "channel_not_found", "channel_is_archived", "no_service", "invalid_token", "action_prohibited",
        "no_service_id", "no_team", "team_disabled", "posting_to_general_channel_denied",
    ]

    /// The verdict the body decides, or `nil` to use the status table.
    func refinement(status: Int, body: [UInt8]) -> AttemptVerdict? {
        guard !(200..<300).contains(status) else { return nil }
        switch self {
        case .standard:
            return nil
        case .slack:
            let answer = String(decoding: body.prefix(200), as: UTF8.self).trimmingCharacters(
                in: .whitespacesAndNewlines)
            if answer == "invalid_payload" { return .failMessage(reason: "Slack answered invalid_payload") }
            if Self.slackPausing.contains(answer) { return .pauseWebhook(reason: "Slack refused: \(answer)") }
            return nil
        case .splunkHEC:
            return HECAnswer(body)?.verdict
        }
    }
}

/// A Splunk HEC answer: `{"text":"Invalid data format","code":6,"invalid-event-number":2}`.
struct HECAnswer {
    var code: Int
    var text: String
    /// The zero-based index, in the request, of the event HEC refused.
    var invalidEventNumber: Int?

    init?(_ body: [UInt8]) {
        struct Body: Decodable {
            var code: Int
            var text: String?
            var invalidEventNumber: Int?
            enum CodingKeys: String, CodingKey {
                case code, text, invalidEventNumber = "invalid-event-number"
            }
        }
        guard let decoded = try? JSONDecoder().decode(Body.self, from: Data(body)) else { return nil }
        code = decoded.code
        text = decoded.text ?? ""
        invalidEventNumber = decoded.invalidEventNumber
    }

    /// Whether the code is about one event's data (so `invalid-event-number` names the event
    /// refused) rather than the token or configuration.
    var refusesOneEvent: Bool { [5, 6, 12, 13, 15].contains(code) }

    /// `code 6 (Invalid data format)`.
    var summary: String { "code \(code) (\(text.prefix(100)))" }

    /// What HEC's code means for the request as a whole; `nil` for codes the status decides.
    /// Token and configuration errors pause the webhook; a malformed request without an event
    /// number pauses it too (every request would fail the same way); a refused event fails.
    var verdict: AttemptVerdict? {
        switch code {
        case 1, 2, 3, 4, 7, 10, 11, 14, 16:
            return .pauseWebhook(reason: "Splunk HEC refused the webhook: \(summary)")
        case 5, 6, 12, 13:
            if invalidEventNumber != nil { return .failMessage(reason: "Splunk HEC refused the event: \(summary)") }
            return .pauseWebhook(reason: "Splunk HEC refused the request format: \(summary)")
        case 15:
            return .failMessage(reason: "Splunk HEC refused the event: \(summary)")
        default:
            // Busy and internal errors (8, 9, 18–20) come as 500 and 503, which the status table
            // retries with Retry-After honoured.
            return nil
        }
    }
}
