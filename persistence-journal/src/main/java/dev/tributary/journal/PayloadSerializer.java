package dev.tributary.journal;

import dev.tributary.journal.segment.JournalEntry.SerializedValue;
import java.io.NotSerializableException;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.Serialization$;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializer;
import org.apache.pekko.serialization.Serializers;

/** Turns events, snapshots and metadata into bytes and back with Pekko serialization. Thread-safe. */
public final class PayloadSerializer {

  private final ExtendedActorSystem system;
  private final Serialization serialization;

  public PayloadSerializer(ActorSystem system) {
    this.system = (ExtendedActorSystem) system;
    this.serialization = SerializationExtension.get(system);
  }

  /**
   * Serializes a value with the serializer bound to its class.
   *
   * @throws NotSerializableException when no serializer is bound or serialization fails: the
   *     journal rejects such a write rather than failing the actor
   */
  public SerializedValue serialize(Object value) throws NotSerializableException {
    try {
      Serializer serializer = serialization.findSerializerFor(value);
      String manifest = Serializers.manifestFor(serializer, value);
      // Transport information lets serializers write ActorRefs with this system's address.
      byte[] bytes = Serialization$.MODULE$.withTransportInformation(system, () -> serializer.toBinary(value));
      return new SerializedValue(serializer.identifier(), manifest, bytes);
    } catch (RuntimeException e) {
      NotSerializableException rejected =
          new NotSerializableException(
              "cannot serialize " + value.getClass().getName() + ": " + e.getMessage()
                  + " (bind the class to a serializer in pekko.actor.serialization-bindings)");
      rejected.initCause(e);
      throw rejected;
    }
  }

  public Object deserialize(int serializerId, String manifest, byte[] bytes) {
    return Serialization$.MODULE$.withTransportInformation(
        system, () -> serialization.deserialize(bytes, serializerId, manifest).get());
  }

  public Object deserialize(SerializedValue value) {
    return deserialize(value.serializerId(), value.manifest(), value.bytes());
  }
}
