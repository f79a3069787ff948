package dev.tributary.node.controller;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.CompletableFuture;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftGroupMemberId;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.storage.FileInfo;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.statemachine.impl.SimpleStateMachineStorage;
import org.apache.ratis.statemachine.impl.SingleFileSnapshotInfo;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.util.LifeCycle;
import org.apache.ratis.util.MD5FileUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The controller's state as a Ratis state machine: every committed entry is applied to a {@link
 * ControllerState}, whose answer goes back to the proposer; snapshots are that state in one CBOR
 * file, so the log before them can be purged and a voter far behind is sent the file.
 */
final class ControllerStateMachine extends BaseStateMachine {

  private static final Logger log = LoggerFactory.getLogger(ControllerStateMachine.class);

  /** Told about every state this voter applies and every leader it learns of, on Ratis' threads. */
  interface Listener {
    void applied(ControllerState state, long term);

    void leaderChanged(int leaderId, long term);

    void leaderReady(long term);

    /** This voter's Raft server stopped (the broker closing, or a failure its log names). */
    void stopped();
  }

  private final SimpleStateMachineStorage storage = new SimpleStateMachineStorage();
  private final Listener listener;
  private volatile ControllerState state = ControllerState.empty();
  private volatile long term;

  ControllerStateMachine(Listener listener) {
    this.listener = listener;
  }

  ControllerState state() {
    return state;
  }

  @Override
  public void initialize(RaftServer server, RaftGroupId groupId, RaftStorage raftStorage) throws IOException {
    super.initialize(server, groupId, raftStorage);
    storage.init(raftStorage);
    deleteUnfinishedSnapshots(raftStorage);
    loadLatestSnapshot();
    getLifeCycle().transition(LifeCycle.State.STARTING);
    getLifeCycle().transition(LifeCycle.State.RUNNING);
  }

  /**
   * Ratis pauses the state machine before it installs a snapshot sent by the leader (this voter
   * was too far behind: the log it missed was purged), then calls {@link #reinitialize}.
   */
  @Override
  public void pause() {
    getLifeCycle().transition(LifeCycle.State.PAUSING);
    getLifeCycle().transition(LifeCycle.State.PAUSED);
  }

  @Override
  public void reinitialize() throws IOException {
    loadLatestSnapshot(); // the installed snapshot replaces what this voter had
    getLifeCycle().transition(LifeCycle.State.STARTING);
    getLifeCycle().transition(LifeCycle.State.RUNNING);
  }

  /** A crash while writing a snapshot leaves its temporary file; the snapshot before it stands. */
  private static void deleteUnfinishedSnapshots(RaftStorage raftStorage) throws IOException {
    Path dir = raftStorage.getStorageDir().getStateMachineDir().toPath();
    if (!Files.isDirectory(dir)) {
      return;
    }
    try (var files = Files.list(dir)) {
      for (Path f : files.filter(f -> f.getFileName().toString().endsWith(".tmp")).toList()) {
        Files.deleteIfExists(f);
      }
    }
  }

  private void loadLatestSnapshot() throws IOException {
    SingleFileSnapshotInfo snapshot = storage.loadLatestSnapshot();
    if (snapshot == null) {
      return;
    }
    Path file = snapshot.getFile().getPath();
    ControllerState loaded = ControllerCodec.decodeSnapshot(Files.readAllBytes(file));
    state = loaded;
    setLastAppliedTermIndex(snapshot.getTermIndex());
    term = Math.max(term, snapshot.getTerm());
    log.debug("controller state loaded from snapshot {} (index {})", file, snapshot.getIndex());
    listener.applied(loaded, term);
  }

  @Override
  public SimpleStateMachineStorage getStateMachineStorage() {
    return storage;
  }

  @Override
  public CompletableFuture<Message> applyTransaction(TransactionContext trx) {
    LogEntryProto entry = trx.getLogEntry();
    ControllerState.Outcome outcome;
    try {
      ControllerRecord record = ControllerCodec.decodeRecord(
          entry.getStateMachineLogEntry().getLogData().toByteArray());
      ControllerState.Applied applied = state.apply(record, entry.getIndex());
      state = applied.state();
      outcome = applied.outcome();
    } catch (IOException unreadable) {
      // Every voter reads the same bytes: skipping the entry everywhere keeps them identical.
      log.error("controller log entry {} is unreadable and was skipped: {}", entry.getIndex(), unreadable.toString());
      state = new ControllerState(state.clusterId(), state.topics(), state.nextProducerId(), state.brokers(),
          entry.getIndex());
      outcome = ControllerState.Outcome.failed(dev.tributary.protocol.ErrorCode.UNKNOWN_SERVER_ERROR,
          "unreadable controller log entry: " + unreadable.getMessage());
    }
    term = Math.max(term, entry.getTerm());
    updateLastAppliedTermIndex(entry.getTerm(), entry.getIndex());
    listener.applied(state, term);
    return CompletableFuture.completedFuture(Message.valueOf(ByteString.copyFrom(ControllerCodec.encode(outcome))));
  }

  @Override
  public void notifyTermIndexUpdated(long entryTerm, long index) {
    super.notifyTermIndexUpdated(entryTerm, index);
    term = Math.max(term, entryTerm);
  }

  @Override
  public void notifyLeaderChanged(RaftGroupMemberId member, RaftPeerId newLeaderId) {
    long current = getServer().thenApply(s -> {
      try {
        return s.getDivision(member.getGroupId()).getInfo().getCurrentTerm();
      } catch (IOException e) {
        return term;
      }
    }).getNow(term);
    term = Math.max(term, current);
    listener.leaderChanged(newLeaderId == null ? -1 : Integer.parseInt(newLeaderId.toString()), term);
  }

  @Override
  public void notifyLeaderReady() {
    listener.leaderReady(term);
  }

  /** Ratis reports a new leader, never a leader stepping down: this is how the old one hears it. */
  @Override
  public void notifyNotLeader(java.util.Collection<TransactionContext> pendingEntries) {
    listener.leaderChanged(-1, term);
  }

  @Override
  public void notifyServerShutdown(org.apache.ratis.proto.RaftProtos.RoleInfoProto roleInfo, boolean allServer) {
    listener.stopped();
  }

  @Override
  public long takeSnapshot() throws IOException {
    ControllerState snapshotted = state;
    TermIndex last = getLastAppliedTermIndex();
    if (last == null || last.getIndex() < 0) {
      return -1;
    }
    File file = storage.getSnapshotFile(last.getTerm(), last.getIndex());
    Path tmp = file.toPath().resolveSibling(file.getName() + ".tmp");
    Files.write(tmp, ControllerCodec.encodeSnapshot(snapshotted), StandardOpenOption.CREATE,
        StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE, StandardOpenOption.SYNC);
    Files.move(tmp, file.toPath(), StandardCopyOption.ATOMIC_MOVE);
    storage.updateLatestSnapshot(new SingleFileSnapshotInfo(
        new FileInfo(file.toPath(), MD5FileUtil.computeAndSaveMd5ForFile(file)), last));
    return last.getIndex();
  }
}
