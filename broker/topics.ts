/** The topic tree devices use; see docs/protocol.md. */
export const TOPIC_PREFIX = "devices/";

export type DeviceTopicLeaf = "telemetry" | "status" | "errors";

export function deviceTopic(deviceId: string, leaf: DeviceTopicLeaf): string {
  return `${TOPIC_PREFIX}${deviceId}/${leaf}`;
}

/** The device's own subtree, `devices/<id>/`; every publish and subscription must stay inside it. */
export function ownPrefix(deviceId: string): string {
  return `${TOPIC_PREFIX}${deviceId}/`;
}

/** True when a topic or topic filter lies inside the device's own subtree (wildcards only below it). */
export function isInsideOwnTree(deviceId: string, topic: string): boolean {
  const prefix = ownPrefix(deviceId);
  return topic.startsWith(prefix) && topic.length > prefix.length;
}

/** The leaf under the device's prefix (`telemetry`, `status`, …) or null for anything deeper or unknown. */
export function leafOf(deviceId: string, topic: string): string {
  return topic.slice(ownPrefix(deviceId).length);
}
