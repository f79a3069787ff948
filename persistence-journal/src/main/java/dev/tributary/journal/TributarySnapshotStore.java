package dev.tributary.journal;

import com.typesafe.config.Config;
import dev.tributary.journal.segment.JournalEntry.SerializedValue;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Predicate;
import org.apache.pekko.persistence.SelectedSnapshot;
import org.apache.pekko.persistence.SnapshotMetadata;
import org.apache.pekko.persistence.SnapshotSelectionCriteria;
import org.apache.pekko.persistence.snapshot.japi.SnapshotStore;
import scala.Option;
import scala.concurrent.Future;
import scala.jdk.javaapi.FutureConverters;

/**
 * The Pekko snapshot store plugin: one file per snapshot under {@code <dir>/snapshots}, see {@link
 * SnapshotFiles}. Serialization runs on the plugin actor; file work on the I/O dispatcher.
 */
public final class TributarySnapshotStore extends SnapshotStore {

  private final SnapshotFiles files;
  private final PayloadSerializer serializer;
  private final Executor io;

  public TributarySnapshotStore(Config pluginConfig) {
    JournalExtension extension = JournalExtension.get(context().system());
    this.files = new SnapshotFiles(extension.settings().snapshotDir());
    this.serializer = new PayloadSerializer(context().system());
    this.io = extension.ioExecutor();
  }

  @Override
  public Future<Optional<SelectedSnapshot>> doLoadAsync(
      String persistenceId, SnapshotSelectionCriteria criteria) {
    return onIo(() -> {
      for (SnapshotFiles.Key key : files.list(persistenceId)) {
        if (!criteria.matches(metadata(persistenceId, key, Option.empty()))) {
          continue;
        }
        Optional<SnapshotFiles.Stored> stored = files.read(key);
        if (stored.isPresent()) {
          SnapshotFiles.Stored s = stored.get();
          Option<Object> meta = s.metadata().isPresent()
              ? Option.apply(serializer.deserialize(s.metadata().get()))
              : Option.empty();
          return Optional.of(SelectedSnapshot.create(
              metadata(persistenceId, key, meta), serializer.deserialize(s.snapshot())));
        }
      }
      return Optional.empty();
    });
  }

  @Override
  public Future<Void> doSaveAsync(SnapshotMetadata metadata, Object snapshot) {
    SerializedValue value;
    Optional<SerializedValue> meta;
    try {
      value = serializer.serialize(snapshot);
      meta = metadata.metadata().isDefined()
          ? Optional.of(serializer.serialize(metadata.metadata().get()))
          : Optional.empty();
    } catch (Exception e) {
      return FutureConverters.asScala(CompletableFuture.failedFuture(e));
    }
    return onIo(() -> {
      files.save(metadata.persistenceId(), metadata.sequenceNr(), metadata.timestamp(), value, meta);
      return null;
    });
  }

  @Override
  public Future<Void> doDeleteAsync(SnapshotMetadata metadata) {
    return deleteWhere(metadata.persistenceId(), key ->
        key.sequenceNr() == metadata.sequenceNr()
            && (metadata.timestamp() == 0 || key.timestamp() == metadata.timestamp()));
  }

  @Override
  public Future<Void> doDeleteAsync(String persistenceId, SnapshotSelectionCriteria criteria) {
    return deleteWhere(persistenceId,
        key -> criteria.matches(metadata(persistenceId, key, Option.empty())));
  }

  private Future<Void> deleteWhere(String persistenceId, Predicate<SnapshotFiles.Key> which) {
    return onIo(() -> {
      for (SnapshotFiles.Key key : files.list(persistenceId)) {
        if (which.test(key)) {
          files.delete(key);
        }
      }
      return null;
    });
  }

  private static SnapshotMetadata metadata(
      String persistenceId, SnapshotFiles.Key key, Option<Object> meta) {
    return new SnapshotMetadata(persistenceId, key.sequenceNr(), key.timestamp(), meta);
  }

  private interface IoCall<T> {
    T call() throws IOException;
  }

  private <T> Future<T> onIo(IoCall<T> call) {
    return FutureConverters.asScala(CompletableFuture.supplyAsync(() -> {
      try {
        return call.call();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }, io));
  }
}
