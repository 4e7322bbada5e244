// The SSH wire encoding (RFC 4251 section 5) that OpenSSH key files and public keys are made of.

export function sshString(value: Buffer | string): Buffer {
  const bytes = typeof value === "string" ? Buffer.from(value, "utf8") : value;
  const length = Buffer.alloc(4);
  length.writeUInt32BE(bytes.length);
  return Buffer.concat([length, bytes]);
}

export function sshUint32(value: number): Buffer {
  const bytes = Buffer.alloc(4);
  bytes.writeUInt32BE(value);
  return bytes;
}

/** Unsigned big-endian integer as an SSH mpint: minimal length, a 0x00 lead when the top bit is set. */
export function sshMpint(unsigned: Buffer): Buffer {
  let start = 0;
  while (start < unsigned.length && unsigned[start] === 0) start++;
  const trimmed = unsigned.subarray(start);
  const needsLead = trimmed.length > 0 && (trimmed[0] ?? 0) & 0x80;
  return sshString(needsLead ? Buffer.concat([Buffer.from([0]), trimmed]) : trimmed);
}

export class WireError extends Error {}

/** Sequential reader over an SSH-encoded buffer; every read is bounds-checked. */
export class WireReader {
  private offset = 0;

  constructor(private readonly buffer: Buffer) {}

  get remaining(): number {
    return this.buffer.length - this.offset;
  }

  uint32(): number {
    if (this.remaining < 4) throw new WireError("truncated");
    const value = this.buffer.readUInt32BE(this.offset);
    this.offset += 4;
    return value;
  }

  bytes(): Buffer {
    const length = this.uint32();
    if (length > this.remaining) throw new WireError("truncated");
    const value = this.buffer.subarray(this.offset, this.offset + length);
    this.offset += length;
    return value;
  }

  text(): string {
    return this.bytes().toString("utf8");
  }

  rest(): Buffer {
    const value = this.buffer.subarray(this.offset);
    this.offset = this.buffer.length;
    return value;
  }
}
