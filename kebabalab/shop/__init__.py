"""The shop's policy, pure (no I/O): hours, pickup times, the kitchen's lead time, availability, the order-status flow, how long history is kept."""
