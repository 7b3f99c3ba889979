-- Adding items to a list in one statement, instead of BEGIN, lock and read, write, journal, COMMIT.
-- The caller read the list's open items with these keys beforehand, with each row's version
-- (xmin), and worked out every new row and merged quantity. This function locks the list, as every
-- other add does, then writes the items and their journal events together, each merge only onto
-- a row still as it was read. If a merged row changed since, or a new key is already open (the
-- unique index refuses it), it raises (LR409 or 23505) and the statement leaves nothing behind:
-- the caller then takes the locking path.
CREATE OR REPLACE FUNCTION larder_add_items_at_once(
  p_list_id bigint,
  p_household_id bigint,
  p_merges jsonb,
  p_inserts jsonb,
  p_events jsonb,
  p_request_id uuid,
  p_door text,
  p_actor text,
  p_now timestamptz
)
RETURNS SETOF items
LANGUAGE plpgsql
VOLATILE
AS $$
DECLARE
  written_count bigint;
BEGIN
  PERFORM 1 FROM lists WHERE id = p_list_id FOR UPDATE;

  RETURN QUERY
  WITH merged AS (
    UPDATE items
    SET quantity = m.quantity, amount = m.amount, unit = m.unit, note = m.note,
        category_id = coalesce(m.category_id, items.category_id), updated_at = p_now
    FROM jsonb_to_recordset(p_merges) AS m(id bigint, version text, quantity text, amount double precision, unit text, note text, category_id bigint)
    WHERE items.id = m.id AND items.xmin::text = m.version AND NOT items.checked
    RETURNING items.*
  ), added AS (
    INSERT INTO items (household_id, list_id, name, key, quantity, amount, unit, category_id, note, added_by, source_recipe_id, created_at, updated_at)
    SELECT p_household_id, p_list_id, r.name, r.key, r.quantity, r.amount, r.unit, r.category_id, r.note, r.added_by, r.source_recipe_id, p_now, p_now
    FROM ROWS FROM (
      jsonb_to_recordset(p_inserts) AS (name text, key text, quantity text, amount double precision, unit text, category_id bigint, note text, added_by text, source_recipe_id bigint)
    ) WITH ORDINALITY AS r(name, key, quantity, amount, unit, category_id, note, added_by, source_recipe_id, position)
    ORDER BY r.position
    RETURNING items.*
  ), written AS (
    SELECT * FROM merged UNION ALL SELECT * FROM added
  ), journaled AS (
    INSERT INTO events (household_id, request_id, door, actor, kind, entity, entity_id, summary, before, after, created_at)
    SELECT p_household_id, p_request_id, p_door, p_actor, e.kind, 'item', w.id, e.summary, e.before, to_jsonb(w), p_now
    FROM jsonb_to_recordset(p_events) AS e(position int, key text, kind text, summary text, before jsonb)
    JOIN written w ON w.key = e.key
    ORDER BY e.position
  )
  SELECT * FROM written;

  GET DIAGNOSTICS written_count = ROW_COUNT;
  IF written_count <> jsonb_array_length(p_merges) + jsonb_array_length(p_inserts) THEN
    RAISE EXCEPTION 'list % changed since it was read', p_list_id USING ERRCODE = 'LR409';
  END IF;
END;
$$;
