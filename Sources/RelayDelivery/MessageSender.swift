import RelayCore

/// Sends a group of messages to a webhook as one request (or several, when the destination asks
/// for smaller ones) and says what became of each message. Used by the lanes and by the test
/// route, so both authenticate, sign and read answers the same way.
struct MessageSender: Sendable {
    /// A request that got an answer (or failed), and what that means for each message it carried.
    struct Answer: Sendable {
        /// Where the request's messages are in the group given to ``send(_:pieces:to:layout:timestamp:)``.
        var range: Range<Int>
        var response: AttemptResponse
        /// One verdict per message of `range`, in order.
        var verdicts: [AttemptVerdict]
    }

    /// What became of a group of messages.
    struct Delivery: Sendable {
        /// The requests that got an answer (or failed), in message order; a request that was
        /// split is not among them.
        var answers: [Answer]
        /// Messages no answered request carried, because shutdown cut the send off: they are
        /// still to be sent (those already answered are not sent again).
        var cutOff: [Range<Int>]
    }

    let transport: HTTPTransport
    let tokens: OAuthTokens
    let maxRetryAfterMillis: Int64

    /// Sends `envelopes` (whose rendered pieces are `pieces`, same order) to `webhook`.
    ///
    /// A `413` for several messages splits them in halves, each sent on its own; Splunk HEC's
    /// `invalid-event-number` fails that one event, counts the ones before it as delivered and
    /// sends the ones after it again.
    ///
    /// - Returns: the answered requests and the messages shutdown cut off, together covering
    ///   every message once.
    func send(
        _ envelopes: [MessageEnvelope], pieces: [[UInt8]], to webhook: Webhook, layout: MessageLayout, timestamp: Int64
    ) async -> Delivery {
        // A stack: the lower half of a split, and what a partial refusal leaves, are sent next,
        // so answers come in message order.
        var answers: [Answer] = []
        var pending: [Range<Int>] = [0..<envelopes.count]
        let dialect = ResponseDialect(webhook)
        while let range = pending.popLast() {
            let body = layout.join(pieces[range])
            guard
                let response = await authorizedSend(
                    Array(envelopes[range]), body: body, to: webhook, timestamp: timestamp)
            else {
                return Delivery(
                    answers: answers, cutOff: [range] + pending)
            }
            let verdict = DeliveryPolicy.batchVerdict(
                for: response, count: range.count, dialect: dialect, now: WallClock.nowMillis(),
                maxRetryAfterMillis: maxRetryAfterMillis)
            switch verdict {
            case .all(let verdict):
                answers.append(Answer(range: range, response: response, verdicts: range.map { _ in verdict }))
            case .split:
                let middle = range.lowerBound + range.count / 2
                pending += [middle..<range.upperBound, range.lowerBound..<middle]
            case .partial(let accepted, let refusal):
                // The request carried the whole range; the events after the refused one go again.
                let refused = range.lowerBound + accepted
                let verdicts =
                    Array(repeating: AttemptVerdict.delivered, count: accepted) + [.failMessage(reason: refusal)]
                answers.append(Answer(range: range.lowerBound..<refused + 1, response: response, verdicts: verdicts))
                if refused + 1 < range.upperBound { pending.append(refused + 1..<range.upperBound) }
            }
        }
        return Delivery(answers: answers, cutOff: [])
    }

    /// One request, with a bearer token for OAuth webhooks (fetched again once on a `401`).
    /// `nil` when cancelled.
    private func authorizedSend(
        _ envelopes: [MessageEnvelope], body: [UInt8], to webhook: Webhook, timestamp: Int64
    ) async -> AttemptResponse? {
        guard let credentials = webhook.auth else {
            let request = OutboundRequest.make(envelopes, body: body, to: webhook, timestamp: timestamp)
            return await transport.send(request, for: webhook).outcome
        }
        var rejected: String?
        while true {
            let token: String
            switch await tokens.token(for: webhook, credentials: credentials, rejecting: rejected, transport: transport)
            {
            case .success(let value):
                token = value
            case .failure(.refused(let message)):
                return .transportFailure(TransportFailure(.credentialsRefused, message))
            case .failure(.retry(let message)):
                return .transportFailure(TransportFailure(.other, message))
            }
            let request = OutboundRequest.make(
                envelopes, body: body, to: webhook, timestamp: timestamp, bearerToken: token)
            guard let response = await transport.send(request, for: webhook).outcome
            else { return nil }
            guard rejected == nil, case .http(401, _, _) = response else { return response }
            rejected = token
        }
    }
}

extension HTTPTransport {
    /// Sends `request` to `webhook`'s destination under its egress rule and with its client certificate.
    func send(_ request: OutboundRequest, for webhook: Webhook) async -> Reply {
        await send(
            request, allowPrivateNetwork: webhook.allowPrivateNetwork, clientCertificate: webhook.clientCertificate)
    }
}

extension HTTPTransport.Reply {
    /// The response, or `nil` when the send was cancelled.
    var outcome: AttemptResponse? { cancelled ? nil : response }
}
