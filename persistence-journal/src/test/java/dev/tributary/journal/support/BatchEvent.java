package dev.tributary.journal.support;

import dev.tributary.journal.OffsetRange;

/** A test event that is a record batch: the journal indexes it by offset and timestamp. */
public record BatchEvent(long baseOffset, int recordCount, long maxTimestamp, byte[] records)
    implements OffsetRange {}
