import Foundation
import GRDB
import Testing

@testable import RelayStore

/// A store made by an older relay keeps what it holds when a newer one opens it.
@Suite("Store migrations")
struct MigrationTests {
    @Test("6-request-attempts links the attempts already recorded to their events")
    func requestAttemptsKeepTheOldLog() async throws {
        let temporary = try TemporaryStore()
        defer { temporary.remove() }
        let queue = try DatabaseQueue(path: temporary.path)
        try StoreSchema.migrator.migrate(queue, upTo: "5-lean-indexes")
        try await queue.write { db in
            try db.execute(
                sql: """
                    INSERT INTO events (seq, id, type, occurred_at, received_at, body)
                        VALUES (7, 'old-1', 'user.login', 0, 0, x'7b7d'), (8, 'old-2', 'user.login', 0, 0, x'7b7d');
                    INSERT INTO attempts (message_id, message_uid, event_id, event_type, webhook_id, webhook_name,
                        attempt, started_at, duration_ms, http_status, outcome)
                        VALUES (1, 'msg_1', 'old-1', 'user.login', 'wh_1', 'sink', 1, 5, 3, 503, 'retrying'),
                               (2, 'msg_2', 'old-2', 'user.login', 'wh_1', 'sink', 1, 6, 3, 200, 'delivered'),
                               (1, 'msg_1', 'old-1', 'user.login', 'wh_1', 'sink', 2, 9, 3, 200, 'delivered');
                    """)
        }
        try queue.close()

        let store = try temporary.open()
        defer { try? store.closeFile() }
        let found = try await store.attempts(eventID: "old-1")
        #expect(found.map(\.attempt) == [2, 1])
        #expect(found.allSatisfy { $0.messageID == "msg_1" && $0.members.isEmpty })
        #expect(try await store.attempts(eventID: "old-2").map(\.httpStatus) == [200])
    }

    @Test("8-no-stored-leases makes a message an older relay left leased due now, and drops the column")
    func storedLeasesAreReleasedOnce() async throws {
        let temporary = try TemporaryStore()
        defer { temporary.remove() }
        let queue = try DatabaseQueue(path: temporary.path)
        try StoreSchema.migrator.migrate(queue, upTo: "7-client-certificates")
        let farFuture: Int64 = 4_102_444_800_000  // 2100-01-01
        try await queue.write { db in
            try db.execute(
                sql: """
                    INSERT INTO messages (id, uid, webhook_id, event_seq, sequence, created_at, next_attempt_at, leased)
                        VALUES (1, 'msg_leased', 'wh_1', 1, 1, 0, \(farFuture), 1),
                               (2, 'msg_waiting', 'wh_1', 2, 2, 0, \(farFuture), 0);
                    """)
        }
        let before = Int64(Date().timeIntervalSince1970 * 1000)
        try StoreSchema.migrator.migrate(queue)
        let rows = try await queue.read { db in
            try Row.fetchAll(db, sql: "SELECT uid, next_attempt_at FROM messages ORDER BY id")
        }
        let leased: Int64 = rows[0]["next_attempt_at"]
        #expect(leased >= before && leased <= Int64(Date().timeIntervalSince1970 * 1000))
        #expect(rows[1]["next_attempt_at"] as Int64 == farFuture, "a message that was not leased keeps its time")
        let columns = try await queue.read { db in try db.columns(in: "messages").map(\.name) }
        #expect(!columns.contains("leased"))
        try queue.close()
    }

    @Test("a Slack URL an older relay stored in plain text is sealed when the store opens, and its old text is gone")
    func plainSlackURLsAreSealedAtOpen() async throws {
        let temporary = try TemporaryStore()
        defer { temporary.remove() }
        let url = "https://hooks.slack.com/services/T0OLDPLAIN/B0OLDPLAIN/oldPlainSlackPath"
        let queue = try DatabaseQueue(path: temporary.path)
        try StoreSchema.migrator.migrate(queue, upTo: "10-sources")
        try await queue.write { db in
            try db.execute(
                sql: """
                    INSERT INTO webhooks (id, name, kind, url, events, format, headers, state, created_at, updated_at)
                        VALUES ('wh_slack', 'alerts', 'slack', ?, '["*"]', 'json', '{}', 'active', 1, 1),
                               ('wh_custom', 'siem', 'custom', 'https://siem.example.com/hook', '["*"]', 'json', '{}',
                                'active', 1, 1)
                    """, arguments: [url])
        }
        try queue.close()

        let store = try temporary.open()
        let webhooks = try await store.webhooks()
        #expect(webhooks.map(\.url) == [url, "https://siem.example.com/hook"])
        try store.closeFile()
        for suffix in ["", "-wal"] where FileManager.default.fileExists(atPath: temporary.path + suffix) {
            let bytes = try Data(contentsOf: URL(fileURLWithPath: temporary.path + suffix))
            #expect(bytes.range(of: Data("oldPlainSlackPath".utf8)) == nil, "the old URL in \(suffix)")
            #expect(bytes.range(of: Data("siem.example.com/hook".utf8)) != nil || suffix == "-wal")
        }
        let rows = try await DatabaseQueue(path: temporary.path).read { db in
            try Row.fetchAll(db, sql: "SELECT url, url_sealed FROM webhooks ORDER BY id")  // wh_custom, wh_slack
        }
        #expect(rows[0]["url"] == "https://siem.example.com/hook" && (rows[0]["url_sealed"] as Data?) == nil)
        #expect(rows[1]["url"] == "https://hooks.slack.com/services/T…/B…/•••")
        #expect(try temporary.sealer.open(try #require(rows[1]["url_sealed"] as Data?)) == url)
    }
}
