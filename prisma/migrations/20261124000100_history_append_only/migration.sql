-- The history is append-only: the database itself refuses UPDATE, DELETE and TRUNCATE on it, so no
-- code path of the application (or a mistaken query) can rewrite what happened.
CREATE OR REPLACE FUNCTION assure_history_is_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'History is append-only: % is not allowed', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER "History_no_update" BEFORE UPDATE OR DELETE ON "History"
  FOR EACH ROW EXECUTE FUNCTION assure_history_is_append_only();
CREATE TRIGGER "History_no_truncate" BEFORE TRUNCATE ON "History"
  FOR EACH STATEMENT EXECUTE FUNCTION assure_history_is_append_only();
