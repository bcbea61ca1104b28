import GRDB
import RelayCore

/// The store's tables, as numbered migrations.
enum StoreSchema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("1-backbone") { db in
            try db.execute(
                sql: """
                    CREATE TABLE webhooks (
                        id TEXT PRIMARY KEY,
                        name TEXT NOT NULL UNIQUE,
                        kind TEXT NOT NULL,
                        url TEXT NOT NULL,
                        events TEXT NOT NULL,
                        format TEXT NOT NULL,
                        secrets_sealed BLOB,
                        authorization_sealed BLOB,
                        headers TEXT NOT NULL DEFAULT '{}',
                        state TEXT NOT NULL,
                        state_reason TEXT,
                        allow_private_network INTEGER NOT NULL DEFAULT 0,
                        hub_signature INTEGER NOT NULL DEFAULT 0,
                        declared INTEGER NOT NULL DEFAULT 0,
                        last_sequence INTEGER NOT NULL DEFAULT 0,
                        created_at INTEGER NOT NULL,
                        updated_at INTEGER NOT NULL
                    );
                    CREATE TABLE events (
                        seq INTEGER PRIMARY KEY,
                        id TEXT NOT NULL UNIQUE,
                        type TEXT NOT NULL,
                        occurred_at INTEGER NOT NULL,
                        received_at INTEGER NOT NULL,
                        body BLOB NOT NULL
                    );
                    CREATE TABLE messages (
                        id INTEGER PRIMARY KEY,
                        uid TEXT NOT NULL UNIQUE,
                        webhook_id TEXT NOT NULL,
                        event_seq INTEGER NOT NULL,
                        sequence INTEGER NOT NULL,
                        status TEXT NOT NULL DEFAULT 'pending',
                        attempts INTEGER NOT NULL DEFAULT 0,
                        created_at INTEGER NOT NULL,
                        next_attempt_at INTEGER NOT NULL,
                        leased INTEGER NOT NULL DEFAULT 0,
                        finished_at INTEGER
                    );
                    CREATE INDEX messages_due ON messages(webhook_id, next_attempt_at) WHERE status = 'pending';
                    CREATE INDEX messages_leased ON messages(id) WHERE leased = 1;
                    CREATE INDEX messages_event ON messages(event_seq);
                    CREATE TABLE attempts (
                        id INTEGER PRIMARY KEY,
                        message_id INTEGER NOT NULL,
                        message_uid TEXT NOT NULL,
                        event_id TEXT NOT NULL,
                        event_type TEXT NOT NULL,
                        webhook_id TEXT NOT NULL,
                        webhook_name TEXT NOT NULL,
                        attempt INTEGER NOT NULL,
                        started_at INTEGER NOT NULL,
                        duration_ms INTEGER NOT NULL,
                        http_status INTEGER,
                        error TEXT,
                        outcome TEXT NOT NULL,
                        next_attempt_at INTEGER,
                        response_body BLOB
                    );
                    CREATE INDEX attempts_webhook ON attempts(webhook_id, id);
                    CREATE INDEX attempts_message ON attempts(message_id);
                    CREATE TABLE event_types (
                        name TEXT PRIMARY KEY,
                        description TEXT,
                        first_seen_at INTEGER NOT NULL
                    );
                    CREATE TABLE tokens (
                        hash TEXT PRIMARY KEY,
                        role TEXT NOT NULL,
                        created_at INTEGER NOT NULL
                    );
                    """)
        }
        migrator.registerMigration("2-retention") { db in
            try db.execute(
                sql: """
                    CREATE INDEX attempts_started ON attempts(started_at);
                    CREATE INDEX messages_finished ON messages(finished_at) WHERE status != 'pending';
                    CREATE INDEX events_received ON events(received_at);
                    """)
        }
        migrator.registerMigration("3-operations") { db in
            try db.execute(
                sql: """
                    ALTER TABLE webhooks ADD COLUMN last_success_at INTEGER;
                    ALTER TABLE webhooks ADD COLUMN last_failure_at INTEGER;
                    ALTER TABLE webhooks ADD COLUMN last_failure_reason TEXT;
                    ALTER TABLE webhooks ADD COLUMN consecutive_failures INTEGER NOT NULL DEFAULT 0;
                    CREATE INDEX attempts_event ON attempts(event_id);
                    CREATE TABLE probe (id INTEGER PRIMARY KEY CHECK (id = 1), checked_at INTEGER NOT NULL);
                    """)
        }
        migrator.registerMigration("4-formats") { db in
            try db.execute(
                sql: """
                    ALTER TABLE webhooks ADD COLUMN splunk TEXT;
                    ALTER TABLE webhooks ADD COLUMN batch TEXT;
                    ALTER TABLE webhooks ADD COLUMN auth_sealed BLOB;
                    """)
        }
        migrator.registerMigration("5-lean-indexes") { db in
            // Claims are held in memory now, so leases need no index; and no query looks attempts
            // up by message row (the delivery log filters by webhook, event, type, outcome, time).
            try db.execute(sql: "DROP INDEX messages_leased; DROP INDEX attempts_message")
        }
        migrator.registerMigration("6-request-attempts") { db in
            // One attempt row per request: a batch's messages are listed in `members` (JSON, with
            // each message's own outcome) instead of a row each. Attempts are found by event
            // through `attempt_events`, whose integer keys grow at the end of the tree, rather than
            // through an index of event-id text that every attempt wrote at a random place.
            try db.execute(
                sql: """
                    ALTER TABLE attempts ADD COLUMN members TEXT;
                    CREATE TABLE attempt_events (
                        event_seq INTEGER NOT NULL,
                        attempt_id INTEGER NOT NULL,
                        PRIMARY KEY (event_seq, attempt_id)
                    ) WITHOUT ROWID;
                    INSERT INTO attempt_events (event_seq, attempt_id)
                        SELECT e.seq, a.id FROM attempts a JOIN events e ON e.id = a.event_id;
                    DROP INDEX attempts_event;
                    CREATE TRIGGER events_forget_attempts AFTER DELETE ON events BEGIN
                        DELETE FROM attempt_events WHERE event_seq = old.seq;
                    END;
                    """)
        }
        migrator.registerMigration("7-client-certificates") { db in
            try db.execute(
                sql: """
                    ALTER TABLE webhooks ADD COLUMN client_certificate TEXT;
                    ALTER TABLE webhooks ADD COLUMN client_key_sealed BLOB;
                    """)
        }
        migrator.registerMigration("8-no-stored-leases") { db in
            // Claims are held in memory (`InFlightMessages`); relays before that wrote leases.
            // A message one of them left leased is due now, once, and the column goes.
            // The time comes from the relay's clock: SQLite's julianday arithmetic can land a
            // millisecond early.
            try db.execute(
                sql: """
                    UPDATE messages SET next_attempt_at = MIN(next_attempt_at, ?)
                    WHERE status = 'pending' AND leased = 1
                    """,
                arguments: [WallClock.nowMillis()])
            try db.execute(sql: "ALTER TABLE messages DROP COLUMN leased")
        }
        migrator.registerMigration("9-slack-installations") { db in
            // What "Install using OAuth" learned about a Slack webhook (JSON), read-only.
            try db.execute(sql: "ALTER TABLE webhooks ADD COLUMN slack TEXT")
        }
        migrator.registerMigration("10-sources") { db in
            // Inbound sources (SPEC §12). `secrets` is the sealed JSON of `SourceSecrets`: the
            // tokens, their status and the senders seen, which change together.
            try db.execute(
                sql: """
                    CREATE TABLE sources (
                        id TEXT PRIMARY KEY,
                        name TEXT NOT NULL UNIQUE,
                        provider TEXT NOT NULL,
                        secrets_sealed BLOB NOT NULL,
                        rejected INTEGER NOT NULL DEFAULT 0,
                        last_rejected_at INTEGER,
                        created_at INTEGER NOT NULL,
                        updated_at INTEGER NOT NULL
                    )
                    """)
        }
        migrator.registerMigration("11-slack-urls-sealed") { db in
            // A Slack webhook's URL is a credential (SPEC §3): sealed here like secrets, with
            // `url` holding only what reads show. Rows an older relay wrote are sealed when the
            // store opens (``AuditStore/sealPlainSlackURLs(pool:sealer:)``): a migration has no key.
            try db.execute(sql: "ALTER TABLE webhooks ADD COLUMN url_sealed BLOB")
        }
        return migrator
    }
}
