-- Secondary indexes and foreign keys of the shop database, as `pg_dump --section=post-data` writes
-- them; pgferry runs this on the target after the full load (target.schema_objects.post_load_sql).
CREATE INDEX IF NOT EXISTS orders_customer_id_idx ON public.orders (customer_id);
CREATE INDEX IF NOT EXISTS order_lines_order_id_idx ON public.order_lines (order_id);
ALTER TABLE public.order_lines
  ADD CONSTRAINT order_lines_order_id_fkey FOREIGN KEY (order_id) REFERENCES public.orders (id) NOT VALID;
ALTER TABLE public.order_lines VALIDATE CONSTRAINT order_lines_order_id_fkey;
