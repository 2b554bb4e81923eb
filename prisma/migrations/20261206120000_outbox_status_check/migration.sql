-- The outbox message's statuses (services/delivery/states.ts, checkConstraintSql(outboxMachine)).
ALTER TABLE "OutboxMessage" ADD CONSTRAINT "OutboxMessage_status_check" CHECK (status IN ('pending', 'waiting', 'sending', 'sent', 'dead', 'blocked', 'skipped'));
