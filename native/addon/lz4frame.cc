// See lz4frame.h.
#include "lz4frame.h"

#include <lz4.h>

#include <cstdlib>
#include <cstring>

namespace ft {

namespace {

constexpr uint32_t kMagic = 0x184D2204;
// FLG: version 01, independent blocks, content checksum; BD: 64 KiB maximum block size (kBlock)
constexpr uint8_t kFlg = 0x40 | 0x20 | 0x04;
constexpr uint8_t kBd = 4 << 4;

constexpr uint32_t P1 = 2654435761u, P2 = 2246822519u, P3 = 3266489917u, P4 = 668265263u, P5 = 374761393u;

inline uint32_t rotl(uint32_t x, int r) { return (x << r) | (x >> (32 - r)); }
inline uint32_t rd32(const uint8_t *p) {
  uint32_t v;
  memcpy(&v, p, 4);
  return v;  // little-endian host (x86_64, the only target of the probe)
}
inline void wr32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }
inline uint32_t round(uint32_t acc, uint32_t in) { return rotl(acc + in * P2, 13) * P1; }

}  // namespace

Xxh32::Xxh32(uint32_t seed) : v_{seed + P1 + P2, seed + P2, seed, seed - P1}, seed_(seed) {}

// Scalar on purpose: gcc's SSE2 vectorization of the 4 lanes (no 32-bit vector multiply before
// SSE4.1: each multiply becomes a chain of shifts and adds) is 3-4x slower than 4 imul chains.
#if defined(__GNUC__) && !defined(__clang__)
__attribute__((optimize("no-tree-vectorize")))
#endif
void Xxh32::add(const uint8_t *p, size_t n) {
  total_ += n;
  const uint8_t *end = p + n;
  uint32_t v1 = v_[0], v2 = v_[1], v3 = v_[2], v4 = v_[3];  // locals: p may alias v_
  for (; p + 16 <= end; p += 16) {
    v1 = round(v1, rd32(p));
    v2 = round(v2, rd32(p + 4));
    v3 = round(v3, rd32(p + 8));
    v4 = round(v4, rd32(p + 12));
  }
  v_[0] = v1;
  v_[1] = v2;
  v_[2] = v3;
  v_[3] = v4;
  tailLen_ = size_t(end - p);
  memcpy(tail_, p, tailLen_);
}

uint32_t Xxh32::digest() const {
  uint32_t h = total_ >= 16 ? rotl(v_[0], 1) + rotl(v_[1], 7) + rotl(v_[2], 12) + rotl(v_[3], 18) : seed_ + P5;
  h += uint32_t(total_);
  const uint8_t *p = tail_, *end = tail_ + tailLen_;
  for (; p + 4 <= end; p += 4) h = rotl(h + rd32(p) * P3, 17) * P4;
  for (; p < end; p++) h = rotl(h + *p * P5, 11) * P1;
  h ^= h >> 15;
  h *= P2;
  h ^= h >> 13;
  h *= P3;
  h ^= h >> 16;
  return h;
}

uint32_t xxh32(const uint8_t *p, size_t n, uint32_t seed) {
  Xxh32 x(seed);
  x.add(p, n);
  return x.digest();
}

Lz4FrameWriter::Lz4FrameWriter() : state_(malloc(size_t(LZ4_sizeofState()))) {}
Lz4FrameWriter::~Lz4FrameWriter() { free(state_); }

size_t Lz4FrameWriter::begin(uint8_t *dst) {
  wr32(dst, kMagic);
  dst[4] = kFlg;
  dst[5] = kBd;
  dst[6] = uint8_t(xxh32(dst + 4, 2, 0) >> 8);
  sum_ = Xxh32(0);
  return kHeader;
}

size_t Lz4FrameWriter::block(const uint8_t *src, size_t n, uint8_t *dst) {
  if (!state_ || n == 0 || n > kBlock) return 0;
  sum_.add(src, n);
  int len = int(n);
  // a block that does not shrink is stored as is (high bit of its size)
  int z = LZ4_compress_fast_extState(state_, reinterpret_cast<const char *>(src), reinterpret_cast<char *>(dst + 4), len, len - 1, 1);
  if (z > 0) {
    wr32(dst, uint32_t(z));
    return 4 + size_t(z);
  }
  wr32(dst, uint32_t(len) | 0x80000000u);
  memcpy(dst + 4, src, n);
  return 4 + n;
}

size_t Lz4FrameWriter::end(uint8_t *dst) {
  wr32(dst, 0);
  wr32(dst + 4, sum_.digest());
  return kEnd;
}

}  // namespace ft
