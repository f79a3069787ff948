package dev.tributary.journal.segment;

import java.util.Optional;

/**
 * A snapshot of a log's bounds, as the partition needs them at start and for describe.
 *
 * @param logStartOffset the first offset still readable, or -1 when the log holds no batches
 *     (for a log a truncation emptied: the offset it was emptied at, as the end)
 * @param logEndOffset the offset after the last stored record, or -1 when it holds no batches
 *     (for a log a truncation emptied: the offset it was emptied at)
 * @param highestSequenceNr highest sequence number ever written (deleted entries included)
 * @param sizeBytes bytes of all segment files
 * @param lastBatch the header of the last stored record batch, if any
 */
public record LogInfo(
    long logStartOffset,
    long logEndOffset,
    long highestSequenceNr,
    long deletedToSequenceNr,
    long sizeBytes,
    int segmentCount,
    Optional<EntryHeader> lastBatch) {}
