-- Runs on the target after the sequences are synced and before writes open (cutover.post_load_sql).
ANALYZE public.orders;
ANALYZE public.order_lines;
