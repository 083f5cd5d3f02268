// Minimal typings for the parts of npm `stun` the embedded lab uses.
declare module 'stun' {
  import type { EventEmitter } from 'node:events';
  import type { RemoteInfo, Socket } from 'node:dgram';

  export interface StunMessage {
    readonly type: number;
    readonly transactionId: Buffer;
    getAttribute(type: number): { value: unknown } | undefined;
  }
  export interface StunRequest extends StunMessage {
    addXorAddress(address: string, port: number): void;
    addAddress(address: string, port: number): void;
    addSoftware(software: string): void;
    addError(code: number, reason?: string): void;
    addFingerprint(): void;
    addAttribute(type: number, ...args: unknown[]): void;
    toBuffer(): Buffer;
  }
  export interface StunServer extends EventEmitter {
    listen(port: number, address?: string, callback?: () => void): void;
    send(message: StunRequest, port: number, address: string, callback?: (error?: Error) => void): boolean;
    close(): void;
  }
  export function createServer(options: { type: 'udp4' | 'udp6'; socket?: Socket }): StunServer;
  export function createMessage(type: number, transactionId?: Buffer): StunRequest;
  export function decode(buffer: Buffer): StunMessage;
  export const constants: Record<string, number> & {
    STUN_BINDING_REQUEST: number;
    STUN_BINDING_RESPONSE: number;
    STUN_EVENT_BINDING_REQUEST: string;
  };
  export type { RemoteInfo };
}
