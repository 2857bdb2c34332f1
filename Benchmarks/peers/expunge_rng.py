"""Expunge's SeededGenerator (xoshiro256**, seeded and derived by SplitMix64, string keys by
FNV-1a), re-stated so the peers draw exactly the rows and numbers Expunge draws."""
import math

M64 = (1 << 64) - 1
GOLDEN = 0x9E3779B97F4A7C15


def mix(z):
    """SplitMix64's finalizer."""
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
    return z ^ (z >> 31)


def fnv1a(text):
    h = 0xCBF29CE484222325
    for byte in text.encode():
        h = ((h ^ byte) * 0x100000001B3) & M64
    return h


class SeededGenerator:
    def __init__(self, seed):
        self.s = [mix((seed + (i + 1) * GOLDEN) & M64) for i in range(4)]

    def derived(self, key):
        key = fnv1a(key) if isinstance(key, str) else key
        return SeededGenerator(mix(self.s[0] ^ mix((key + GOLDEN) & M64)))

    def next(self):
        s0, s1, s2, s3 = self.s
        r = (s1 * 5) & M64
        out = ((((r << 7) | (r >> 57)) & M64) * 9) & M64
        t = (s1 << 17) & M64
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = ((s3 << 45) | (s3 >> 19)) & M64
        self.s = [s0, s1, s2, s3]
        return out

    def next_int_below(self, bound):  # Lemire's multiply-shift, as Swift's nextInt(below:)
        m = self.next() * bound
        if (m & M64) < bound:
            threshold = ((1 << 64) - bound) % bound
            while (m & M64) < threshold:
                m = self.next() * bound
        return m >> 64

    def choice(self, n, k):  # partial Fisher–Yates, as Swift's choice(_:_:)
        swapped, out = {}, []
        for i in range(k):
            j = i + self.next_int_below(n - i)
            vj = swapped.get(j, j)
            swapped[j] = swapped.get(i, i)
            out.append(vj)
        return out

    def permutation(self, n):  # Fisher–Yates from the end, as Swift's permutation(_:)
        p = list(range(n))
        for i in range(n - 1, 0, -1):
            j = self.next_int_below(i + 1)
            p[i], p[j] = p[j], p[i]
        return p

    def normal(self):  # Box–Muller (cosine branch), as Swift's nextNormal()
        u1 = (self.next() >> 11) * 2.0**-53
        while u1 <= 2.2250738585072014e-308:
            u1 = (self.next() >> 11) * 2.0**-53
        u2 = (self.next() >> 11) * 2.0**-53
        return math.sqrt(-2 * math.log(u1)) * math.cos(2 * math.pi * u2)
