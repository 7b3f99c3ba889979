-- Adding to a list locks the list row, then reads its open items with the keys being added.
-- One call instead of two round trips. VOLATILE matters: each statement in the function takes a
-- fresh snapshot, so the read runs after the lock is granted and sees the adds committed before it.
CREATE OR REPLACE FUNCTION larder_lock_open_items(p_list_id bigint, p_keys text[])
RETURNS SETOF items
LANGUAGE plpgsql
VOLATILE
AS $$
BEGIN
  PERFORM 1 FROM lists WHERE id = p_list_id FOR UPDATE;
  RETURN QUERY SELECT * FROM items WHERE list_id = p_list_id AND NOT checked AND key = ANY(p_keys);
END;
$$;
