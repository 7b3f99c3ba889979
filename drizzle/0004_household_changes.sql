-- Every instance keeps a few rows per household in memory (tokens, lists, categories, category
-- memory) and must hear when another process changes them. Each change to those tables notifies
-- the household's id on one channel; PostgreSQL delivers it at commit, to every listening session.
CREATE OR REPLACE FUNCTION larder_notify_household_change()
RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    PERFORM pg_notify('larder_household_changed', OLD.household_id::text);
  ELSE
    PERFORM pg_notify('larder_household_changed', NEW.household_id::text);
    IF TG_OP = 'UPDATE' AND OLD.household_id IS DISTINCT FROM NEW.household_id THEN
      PERFORM pg_notify('larder_household_changed', OLD.household_id::text);
    END IF;
  END IF;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER lists_notify_household AFTER INSERT OR UPDATE OR DELETE ON lists
  FOR EACH ROW EXECUTE FUNCTION larder_notify_household_change();
--> statement-breakpoint
CREATE TRIGGER categories_notify_household AFTER INSERT OR UPDATE OR DELETE ON categories
  FOR EACH ROW EXECUTE FUNCTION larder_notify_household_change();
--> statement-breakpoint
CREATE TRIGGER category_memory_notify_household AFTER INSERT OR UPDATE OR DELETE ON category_memory
  FOR EACH ROW EXECUTE FUNCTION larder_notify_household_change();
--> statement-breakpoint
-- A token is cached only once it verified: a new token needs no notice, and last_used_at
-- (written at most once a minute) must not empty the household's cache.
CREATE TRIGGER api_tokens_notify_household AFTER UPDATE OF revoked_at, hash, household_id OR DELETE ON api_tokens
  FOR EACH ROW EXECUTE FUNCTION larder_notify_household_change();
