// LZ4 frames for the capture batches (format: lz4 Frame_format.md): independent 64 KiB blocks
// compressed with liblz4's block API into a caller-owned buffer, content checksum (xxHash32).
// Faster than LZ4F_compressFrame on event data (no per-frame context, 64 KiB blocks use LZ4's
// 16-bit hash table, and liblz4's generic-x86 XXH32 was a third of its time).
#pragma once
#include <cstddef>
#include <cstdint>

namespace ft {

/** xxHash32 of p[0..n) (seed 0 in LZ4 frames). */
uint32_t xxh32(const uint8_t *p, size_t n, uint32_t seed);

/** Streaming xxHash32: add() lengths must be multiples of 16 except the last one's. */
class Xxh32 {
 public:
  explicit Xxh32(uint32_t seed);
  void add(const uint8_t *p, size_t n);
  uint32_t digest() const;

 private:
  uint32_t v_[4];
  uint32_t seed_;
  uint64_t total_ = 0;
  uint8_t tail_[16];  // the last add()'s bytes past its 16-byte stripes
  size_t tailLen_ = 0;
};

/** Writes one frame at a time: begin(), block() for each block of input, end(). */
class Lz4FrameWriter {
 public:
  static constexpr size_t kBlock = 64 * 1024;  // input bytes per block
  static constexpr size_t kHeader = 7;
  static constexpr size_t kEnd = 8;             // end mark + content checksum
  Lz4FrameWriter();
  ~Lz4FrameWriter();
  Lz4FrameWriter(const Lz4FrameWriter &) = delete;
  Lz4FrameWriter &operator=(const Lz4FrameWriter &) = delete;
  /** Largest frame for n input bytes. */
  static size_t bound(size_t n) { return kHeader + n + (n / kBlock + 1) * 4 + kEnd; }
  /** false when the compression state could not be allocated */
  bool ok() const { return state_ != nullptr; }
  /** Frame header (kHeader bytes) at dst; starts the content checksum. */
  size_t begin(uint8_t *dst);
  /** One block of src[0..n) (n <= kBlock; a multiple of 16 but for the frame's last block) at
   *  dst (n + 4 bytes free); returns the bytes written, 0 without a compression state. */
  size_t block(const uint8_t *src, size_t n, uint8_t *dst);
  /** End mark and content checksum (kEnd bytes) at dst. */
  size_t end(uint8_t *dst);

 private:
  void *state_;
  Xxh32 sum_{0};
};

}  // namespace ft
