package dev.tributary.journal.query;

import org.apache.pekko.NotUsed;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.persistence.query.scaladsl.CurrentEventsByPersistenceIdQuery;
import org.apache.pekko.persistence.query.scaladsl.EventsByPersistenceIdQuery;
import org.apache.pekko.persistence.query.scaladsl.ReadJournal;
import org.apache.pekko.stream.scaladsl.Source;

/** The read journal for the Scala API: the same queries as {@link TributaryReadJournal}. */
public final class ScalaTributaryReadJournal
    implements ReadJournal, EventsByPersistenceIdQuery, CurrentEventsByPersistenceIdQuery {

  private final TributaryReadJournal delegate;

  ScalaTributaryReadJournal(TributaryReadJournal delegate) {
    this.delegate = delegate;
  }

  @Override
  public Source<EventEnvelope, NotUsed> eventsByPersistenceId(
      String persistenceId, long fromSequenceNr, long toSequenceNr) {
    return delegate.eventsByPersistenceId(persistenceId, fromSequenceNr, toSequenceNr).asScala();
  }

  @Override
  public Source<EventEnvelope, NotUsed> currentEventsByPersistenceId(
      String persistenceId, long fromSequenceNr, long toSequenceNr) {
    return delegate.currentEventsByPersistenceId(persistenceId, fromSequenceNr, toSequenceNr).asScala();
  }
}
