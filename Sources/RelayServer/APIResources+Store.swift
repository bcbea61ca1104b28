import RelayCore
import RelayStore

extension WebhookHealthResource {
    /// `health` as the API shows it.
    init(_ health: WebhookHealth) {
        self.init(
            queueDepth: health.queueDepth, oldestPendingAt: health.oldestPendingAt, lastSuccessAt: health.lastSuccessAt,
            lastFailureAt: health.lastFailureAt, lastFailureReason: health.lastFailureReason,
            consecutiveFailures: health.consecutiveFailures)
    }
}

extension AttemptResource {
    /// A logged attempt as the API shows it; `messages` only for a batch.
    init(_ entry: AttemptLogEntry) {
        self.init(
            id: entry.id, messageId: entry.messageID, eventId: entry.eventID, eventType: entry.eventType,
            webhookId: entry.webhookID, webhookName: entry.webhookName, attempt: entry.attempt,
            startedAt: entry.startedAt, durationMs: entry.durationMillis, httpStatus: entry.httpStatus,
            error: entry.error, outcome: entry.outcome, nextAttemptAt: entry.nextAttemptAt,
            responseBody: String(decoding: entry.responseBody, as: UTF8.self), messageCount: entry.messageCount,
            messages: entry.members.isEmpty ? nil : entry.members.map(Message.init))
    }
}

extension AttemptResource.Message {
    /// One message of a logged batch.
    init(_ member: AttemptMember) {
        self.init(
            messageId: member.messageID, eventId: member.eventID, eventType: member.eventType, attempt: member.attempt,
            outcome: member.outcome, nextAttemptAt: member.nextAttemptAt, error: member.error)
    }
}

extension MessageResource {
    /// A stored message as the API shows it.
    init(_ message: MessageSummary) {
        self.init(
            id: message.id, webhookId: message.webhookID, sequence: message.sequence, status: message.status,
            attempts: message.attempts, nextAttemptAt: message.nextAttemptAt)
    }
}
