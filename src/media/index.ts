/** The embedded media engine: G.711 RTP endpoints, prompts, recording, DTMF, bridging. No SIP here. */
export { createMediaEngine, MediaPortsExhaustedError, type MediaEngine, type MediaEngineOptions, type MediaEngineStats } from './engine.js';
export type { MediaEndpoint, EndpointStats, DtmfSource, AudioSource } from './endpoint.js';
export { bridge, unbridge, type Bridge } from './bridge.js';
export { createAnswer, createOffer, parseAnswer, createSdpSession, isHoldAddress, type AnswerResult, type ParseAnswerResult, type NegotiatedMedia, type LocalMedia, type MediaDirection, type OfferOptions } from './sdp.js';
export { loadAudio, checkAudioFile, encodeWav, writeWav, AUDIO_REQUIREMENTS, type AudioCheckResult, type AudioInfo } from './audio-file.js';
export type { PlaySource, PlayOptions, Playback, PlaybackResult } from './player.js';
export type { RecordOptions, RecordResult, RecordEndReason } from './recorder.js';
export { generateTone, type ToneName } from './tones.js';
export { encodeG711, decodeG711, type G711Codec } from './g711.js';
export { parseRtp, buildRtp, type RtpPacket } from './rtp-packet.js';
