-- Version 1's per-span tables, converted into chunks by the 0002 step.
DROP INDEX spans_by_service_time;
DROP INDEX spans_identity;
DROP TABLE spans;
DROP TABLE span_index;
