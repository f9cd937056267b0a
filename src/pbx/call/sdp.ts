/**
 * A held party's last SDP says sendonly/recvonly/inactive (it was answering the holder). When
 * that SDP is offered to someone new (a transfer), it must ask for two-way audio again, or the
 * new party would only ever listen.
 */
export function asTwoWayOffer(sdp: string): string {
  return sdp.replace(/^a=(sendonly|recvonly|inactive)(?=\r?$)/gm, 'a=sendrecv');
}
