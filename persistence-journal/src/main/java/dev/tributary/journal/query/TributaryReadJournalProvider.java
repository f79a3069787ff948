package dev.tributary.journal.query;

import com.typesafe.config.Config;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.persistence.query.ReadJournalProvider;

/** Creates the read journals; named by {@code tributary.journal.query-plugin.class}. */
public final class TributaryReadJournalProvider implements ReadJournalProvider {

  private final TributaryReadJournal javadsl;
  private final ScalaTributaryReadJournal scaladsl;

  public TributaryReadJournalProvider(ExtendedActorSystem system, Config config) {
    this.javadsl = new TributaryReadJournal(system);
    this.scaladsl = new ScalaTributaryReadJournal(javadsl);
  }

  @Override
  public ScalaTributaryReadJournal scaladslReadJournal() {
    return scaladsl;
  }

  @Override
  public TributaryReadJournal javadslReadJournal() {
    return javadsl;
  }
}
