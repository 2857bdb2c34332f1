import ExpungeCore
import Testing

/// FIPS 180-4 / NIST CAVP test vectors.
@Suite("SHA-256")
struct SHA256Tests {
  @Test func publishedVectors() {
    #expect(SHA256.hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    #expect(SHA256.hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    #expect(
      SHA256.hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")
        == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    #expect(
      SHA256.hex([UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000))
        == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
  }

  @Test func incrementalEqualsOneShot() {
    var rng = SeededGenerator(seed: 4)
    let bytes = (0..<1000).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
    var hasher = SHA256()
    for chunk in stride(from: 0, to: 1000, by: 37) {
      hasher.update(bytes[chunk..<min(chunk + 37, 1000)])
    }
    #expect(SHA256.hexString(hasher.finalize()) == SHA256.hex(bytes))
  }
}
