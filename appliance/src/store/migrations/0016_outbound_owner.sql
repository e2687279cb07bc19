-- 0016: queued calls found by who queued them. A file being answered queues its inquiry under its own name
-- ("file:<id>"); answered again after a crash, it finds that call instead of queuing a second one.
CREATE INDEX outbound_owner ON outbound_queue(owner, id);
