"""The domain: vocabulary, money, months and counting rules. Pure Python: no Qt, no SQL."""
