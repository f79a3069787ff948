package dev.tributary.node;

import static dev.tributary.node.TestBroker.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.tributary.client.Consumer;
import dev.tributary.client.ConsumerRecord;
import dev.tributary.client.ConsumerSettings;
import dev.tributary.client.Producer;
import dev.tributary.client.ProducerSettings;
import dev.tributary.client.TopicPartition;
import dev.tributary.client.TributaryClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A service that is a cluster member with role "client" uses the same client API. */
class MemberClientTest {

  @TempDir Path dir;

  @Test
  void aClusterMemberWithRoleClientProducesAndConsumes() throws Exception {
    try (TestBroker broker = TestBroker.start(dir)) {
      Config config = ConfigFactory.parseString(
              "pekko.actor.provider = cluster\n"
                  + "pekko.remote.artery.canonical.hostname = 127.0.0.1\n"
                  + "pekko.remote.artery.canonical.port = 0\n"
                  + "pekko.cluster.roles = [client]\n"
                  + "pekko.cluster.seed-nodes = [\"pekko://tributary@" + broker.bootstrap() + "\"]\n"
                  + "pekko.cluster.downing-provider-class = \"org.apache.pekko.cluster.sbr.SplitBrainResolverProvider\"\n"
                  + "pekko.cluster.split-brain-resolver.active-strategy = keep-majority\n"
                  + "pekko.cluster.split-brain-resolver.keep-majority.role = broker\n"
                  + "include \"tributary-remoting\"\n")
          .withFallback(ConfigFactory.load())
          .resolve();
      // Members of one cluster share the ActorSystem name.
      ActorSystem<Void> service = ActorSystem.create(Behaviors.empty(), "tributary", config);
      try {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (Cluster.get(service).selfMember().status() != MemberStatus.up() && System.nanoTime() < deadline) {
          Thread.sleep(100);
        }
        assertEquals(MemberStatus.up(), Cluster.get(service).selfMember().status(), "the service joined");
        TributaryClient client = TributaryClient.fromSystem(service, broker.bootstrap());
        await(client.createTopic("members", 1, Map.of()));
        try (Producer producer = new Producer(client, ProducerSettings.defaults())) {
          await(producer.send("members", null, "from a member".getBytes(StandardCharsets.UTF_8)));
        }
        try (Consumer consumer = new Consumer(client, ConsumerSettings.defaults())) {
          TopicPartition tp = new TopicPartition("members", 0);
          consumer.assign(List.of(tp));
          consumer.seek(tp, 0);
          List<ConsumerRecord> got = new ArrayList<>();
          while (got.isEmpty() && System.nanoTime() < deadline) {
            got.addAll(consumer.poll(Duration.ofMillis(500)));
          }
          assertEquals("from a member", new String(got.get(0).value(), StandardCharsets.UTF_8));
        }
        client.close();
      } finally {
        service.terminate();
        service.getWhenTerminated().toCompletableFuture().get();
      }
    }
  }
}
