/**
 * RFC 4475 (SIP torture tests) messages, typed in from the RFC's text. Lines are written
 * with "\n" and sent with CRLF; "@LEN@" stands for the body's real byte length where the
 * RFC's exact number is not what the case is about. `expect` is a pattern the parser's
 * error must match for invalid messages, so each case proves the right check fired.
 */


export interface TortureCase {
  name: string;
  section: string;
  valid: boolean;
  expect?: RegExp;
  text: string;
  /** Extra raw bytes appended after the text (binary bodies). */
  tail?: Buffer;
}

export const SDP = (ip: string): string =>
  `v=0\no=mhandley 29739 7272939 IN IP4 ${ip}\ns=-\nc=IN IP4 ${ip}\nt=0 0\nm=audio 49217 RTP/AVP 0 12\nm=video 3227 RTP/AVP 31\na=rtpmap:31 LPC\n`;

