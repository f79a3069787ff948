package dev.tributary.node.controller;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.ratis.RaftConfigKeys;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.netty.NettyConfigKeys;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.rpc.SupportedRpcType;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.util.TimeDuration;

/**
 * This broker's voter in the controller's Raft group (Apache Ratis over Netty): it starts the
 * quorum server on the voter's address, keeps the Raft log and snapshots under the data directory,
 * and proposes entries. Only the leader's proposals commit; elsewhere they fail at once with
 * Ratis' NotLeaderException, and the {@link Controller} forwards instead.
 */
public final class ControllerQuorum implements AutoCloseable {

  /** All voters agree on the group without talking: its id is fixed. */
  static final RaftGroupId GROUP_ID =
      RaftGroupId.valueOf(UUID.nameUUIDFromBytes("tributary-controller".getBytes(StandardCharsets.UTF_8)));

  private final RaftServer server;
  private final ControllerStateMachine stateMachine;
  private final RaftPeerId self;
  private final ClientId clientId = ClientId.randomId();
  private final AtomicLong callIds = new AtomicLong();
  private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

  private ControllerQuorum(RaftServer server, ControllerStateMachine stateMachine, RaftPeerId self) {
    this.server = server;
    this.stateMachine = stateMachine;
    this.self = self;
  }

  /**
   * Starts this broker's voter.
   *
   * @param voters every voter; this broker must be one of them
   * @param storageDir where the Raft log and snapshots live (created when missing)
   * @param timing election and snapshot settings
   * @param segmentBytes the size of a Raft log segment; the log is purged up to a snapshot by whole
   *     closed segments
   */
  public static ControllerQuorum start(int brokerId, ControllerVoters voters, Path storageDir, QuorumTiming timing,
      long segmentBytes, ControllerStateMachine.Listener listener) {
    ControllerVoters.Voter me = voters.voter(brokerId).orElseThrow(() -> new IllegalArgumentException(
        "broker " + brokerId + " is not among the controller voters " + voters));
    List<RaftPeer> peers = new ArrayList<>();
    for (ControllerVoters.Voter v : voters.voters()) {
      peers.add(RaftPeer.newBuilder().setId(Integer.toString(v.brokerId())).setAddress(v.address()).build());
    }
    RaftProperties properties = new RaftProperties();
    RaftConfigKeys.Rpc.setType(properties, SupportedRpcType.NETTY);
    NettyConfigKeys.Server.setHost(properties, me.host());
    NettyConfigKeys.Server.setPort(properties, me.port());
    RaftServerConfigKeys.setStorageDir(properties, List.of(storageDir.toFile()));
    RaftServerConfigKeys.Rpc.setTimeoutMin(properties, millis(timing.electionTimeoutMin()));
    RaftServerConfigKeys.Rpc.setTimeoutMax(properties, millis(timing.electionTimeoutMax()));
    RaftServerConfigKeys.Rpc.setRequestTimeout(properties, millis(timing.electionTimeoutMax().multipliedBy(2)));
    RaftServerConfigKeys.Snapshot.setAutoTriggerEnabled(properties, true);
    RaftServerConfigKeys.Snapshot.setAutoTriggerThreshold(properties, timing.snapshotEvery());
    RaftServerConfigKeys.Snapshot.setRetentionFileNum(properties, 2);
    RaftServerConfigKeys.Log.setPurgeUptoSnapshotIndex(properties, true);
    RaftServerConfigKeys.Log.setPurgeGap(properties, (int) Math.min(Integer.MAX_VALUE, Math.max(1, timing.snapshotEvery() / 2)));
    // The controller log holds small entries; Ratis' 32 MiB segments would preallocate for nothing.
    RaftServerConfigKeys.Log.setSegmentSizeMax(properties, org.apache.ratis.util.SizeInBytes.valueOf(segmentBytes));
    RaftServerConfigKeys.Log.setPreallocatedSize(properties,
        org.apache.ratis.util.SizeInBytes.valueOf(Math.min(segmentBytes, 1 << 20)));
    ControllerStateMachine stateMachine = new ControllerStateMachine(listener);
    RaftPeerId self = RaftPeerId.valueOf(Integer.toString(brokerId));
    RaftServer server = null;
    try {
      server = RaftServer.newBuilder()
          .setServerId(self)
          .setGroup(RaftGroup.valueOf(GROUP_ID, peers))
          .setStateMachine(stateMachine)
          .setProperties(properties)
          .setOption(RaftStorage.StartupOption.RECOVER)
          .build();
      server.start();
      return new ControllerQuorum(server, stateMachine, self);
    } catch (IOException e) {
      closeQuietly(server);
      throw new UncheckedIOException("the controller quorum server did not start on " + me.address()
          + " with its log in " + storageDir + ": " + e.getMessage(), e);
    }
  }

  /**
   * Whether a proposal failed because this voter did not lead (or not yet), so it was never
   * appended and may be proposed again elsewhere without being made twice.
   */
  static boolean neverAppended(Throwable failure) {
    return failure instanceof org.apache.ratis.protocol.exceptions.NotLeaderException
        || failure instanceof org.apache.ratis.protocol.exceptions.LeaderNotReadyException
        || failure instanceof org.apache.ratis.protocol.exceptions.LeaderSteppingDownException;
  }

  private static TimeDuration millis(Duration d) {
    return TimeDuration.valueOf(d.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** The state as this voter applied it. */
  public ControllerState state() {
    return stateMachine.state();
  }

  /** Whether this voter leads and has applied everything committed before its term. */
  public boolean isReadyLeader() {
    try {
      var info = server.getDivision(GROUP_ID).getInfo();
      return info.isLeader() && info.isLeaderReady();
    } catch (IOException e) {
      return false;
    }
  }

  /** The broker id of the Raft leader this voter knows, -1 while there is none (an election). */
  public int leaderId() {
    try {
      RaftPeerId leader = server.getDivision(GROUP_ID).getInfo().getLeaderId();
      return leader == null ? -1 : Integer.parseInt(leader.toString());
    } catch (IOException | NumberFormatException e) {
      return -1;
    }
  }

  /** This voter's current Raft term (it rises when an election starts). */
  public long term() {
    try {
      return server.getDivision(GROUP_ID).getInfo().getCurrentTerm();
    } catch (IOException e) {
      return -1;
    }
  }

  /**
   * Proposes an entry; completes with its answer once it is committed and applied here, or fails
   * (this voter is not the leader, or lost leadership before the entry committed).
   */
  public CompletionStage<ControllerState.Outcome> propose(ControllerRecord entry) {
    RaftClientRequest request = RaftClientRequest.newBuilder()
        .setClientId(clientId)
        .setServerId(self)
        .setGroupId(GROUP_ID)
        .setCallId(callIds.incrementAndGet())
        .setMessage(Message.valueOf(ByteString.copyFrom(ControllerCodec.encode(entry))))
        .setType(RaftClientRequest.writeRequestType())
        .build();
    CompletableFuture<RaftClientReply> reply;
    try {
      reply = server.submitClientRequestAsync(request);
    } catch (IOException e) {
      return CompletableFuture.failedFuture(e);
    }
    return reply.thenCompose(r -> {
      if (!r.isSuccess()) {
        Exception why = r.getException() != null ? r.getException() : new IOException("not committed");
        return CompletableFuture.failedFuture(why);
      }
      try {
        return CompletableFuture.completedFuture(ControllerCodec.decodeOutcome(r.getMessage().getContent().toByteArray()));
      } catch (IOException e) {
        return CompletableFuture.failedFuture(e);
      }
    });
  }

  private static void closeQuietly(RaftServer server) {
    if (server != null) {
      try {
        server.close();
      } catch (IOException | RuntimeException ignored) {
        // already failing to start: the start's own error is the one to report
      }
    }
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    try {
      server.close();
    } catch (IOException e) {
      throw new UncheckedIOException("the controller quorum server did not close cleanly", e);
    }
  }
}
