import NIOCore
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
        await SendCancellation.awaiting { cancellation, completion in
            start(
                envelopes, pieces: pieces, to: webhook, layout: layout, timestamp: timestamp,
                on: Connector.preferredLoop, cancellation: cancellation, completion: completion)
        }
    }

    /// Sends like ``send(_:pieces:to:layout:timestamp:)`` and calls `completion` once with the
    /// delivery, without a task (see ``HTTPTransport/start(_:allowPrivateNetwork:clientCertificate:bodyLimit:on:cancellation:completion:)``).
    func start(
        _ envelopes: [MessageEnvelope], pieces: [[UInt8]], to webhook: Webhook, layout: MessageLayout, timestamp: Int64,
        on loop: (any EventLoop)?, cancellation: SendCancellation, completion: @escaping @Sendable (Delivery) -> Void
    ) {
        let group = GroupSend(
            sender: self, envelopes: envelopes, pieces: pieces, webhook: webhook, layout: layout,
            timestamp: timestamp, loop: loop, cancellation: cancellation, completion: completion)
        group.next(answers: [], pending: [0..<envelopes.count])
    }

    /// One request, with a bearer token for OAuth webhooks (fetched again once on a `401`);
    /// `completion` gets `nil` when the send was cancelled.
    fileprivate func authorizedSend(
        _ envelopes: [MessageEnvelope], body: [UInt8], to webhook: Webhook, timestamp: Int64,
        on loop: (any EventLoop)?, cancellation: SendCancellation, rejecting rejected: String? = nil,
        completion: @escaping @Sendable (AttemptResponse?) -> Void
    ) {
        guard let credentials = webhook.auth else {
            let request = OutboundRequest.make(envelopes, body: body, to: webhook, timestamp: timestamp)
            return transport.start(request, for: webhook, on: loop, cancellation: cancellation) {
                completion($0.outcome)
            }
        }
        Task {
            let token: String
            switch await tokens.token(for: webhook, credentials: credentials, rejecting: rejected, transport: transport)
            {
            case .success(let value):
                token = value
            case .failure(.refused(let message)):
                return completion(.transportFailure(TransportFailure(.credentialsRefused, message)))
            case .failure(.retry(let message)):
                return completion(.transportFailure(TransportFailure(.other, message)))
            }
            let request = OutboundRequest.make(
                envelopes, body: body, to: webhook, timestamp: timestamp, bearerToken: token)
            transport.start(request, for: webhook, on: loop, cancellation: cancellation) { reply in
                guard let response = reply.outcome, rejected == nil, case .http(401, _, _) = response else {
                    return completion(reply.outcome)
                }
                authorizedSend(
                    envelopes, body: body, to: webhook, timestamp: timestamp, on: loop, cancellation: cancellation,
                    rejecting: token, completion: completion)
            }
        }
    }
}

/// A group of messages on its way as one request or several (``MessageSender/start(_:pieces:to:layout:timestamp:on:cancellation:completion:)``).
private struct GroupSend: Sendable {
    let sender: MessageSender
    let envelopes: [MessageEnvelope]
    let pieces: [[UInt8]]
    let webhook: Webhook
    let layout: MessageLayout
    let timestamp: Int64
    let loop: (any EventLoop)?
    let cancellation: SendCancellation
    let completion: @Sendable (MessageSender.Delivery) -> Void

    /// Sends the last range of `pending` (a stack: the lower half of a split, and what a partial
    /// refusal leaves, go next, so answers come in message order), or reports when none is left.
    func next(answers: [MessageSender.Answer], pending: [Range<Int>]) {
        guard let range = pending.last else { return completion(.init(answers: answers, cutOff: [])) }
        let rest = Array(pending.dropLast())
        sender.authorizedSend(
            Array(envelopes[range]), body: layout.join(pieces[range]), to: webhook, timestamp: timestamp, on: loop,
            cancellation: cancellation
        ) { response in
            guard let response else { return completion(.init(answers: answers, cutOff: [range] + rest)) }
            var answers = answers
            var pending = rest
            let verdict = DeliveryPolicy.batchVerdict(
                for: response, count: range.count, dialect: ResponseDialect(webhook), now: WallClock.nowMillis(),
                maxRetryAfterMillis: sender.maxRetryAfterMillis)
            switch verdict {
            case .all(let verdict):
                answers.append(.init(range: range, response: response, verdicts: range.map { _ in verdict }))
            case .split:
                let middle = range.lowerBound + range.count / 2
                pending += [middle..<range.upperBound, range.lowerBound..<middle]
            case .partial(let accepted, let refusal):
                // The request carried the whole range; the events after the refused one go again.
                let refused = range.lowerBound + accepted
                let verdicts =
                    Array(repeating: AttemptVerdict.delivered, count: accepted) + [.failMessage(reason: refusal)]
                answers.append(.init(range: range.lowerBound..<refused + 1, response: response, verdicts: verdicts))
                if refused + 1 < range.upperBound { pending.append(refused + 1..<range.upperBound) }
            }
            next(answers: answers, pending: pending)
        }
    }
}

extension HTTPTransport {
    /// Sends `request` to `webhook`'s destination under its egress rule and with its client
    /// certificate, and calls `completion` with the reply.
    func start(
        _ request: OutboundRequest, for webhook: Webhook, on loop: (any EventLoop)?, cancellation: SendCancellation,
        completion: @escaping @Sendable (Reply) -> Void
    ) {
        start(
            request, allowPrivateNetwork: webhook.allowPrivateNetwork, clientCertificate: webhook.clientCertificate,
            bodyLimit: 1024, on: loop, cancellation: cancellation, completion: completion)
    }
}

extension HTTPTransport.Reply {
    /// The response, or `nil` when the send was cancelled.
    var outcome: AttemptResponse? { cancelled ? nil : response }
}
