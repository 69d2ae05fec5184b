#include "store/internal/packing.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cstdint>
#include <cstring>

namespace fulei::store::internal {
namespace {

static_assert(std::endian::native == std::endian::little, "TagOf assumes little-endian words");

// Bit i set when byte i (in memory order) of the word is non-zero (SWAR: no per-byte branches).
uint8_t TagOf(uint64_t v) {
  uint64_t high =
      (((v & 0x7f7f7f7f7f7f7f7full) + 0x7f7f7f7f7f7f7f7full) | v) & 0x8080808080808080ull;
  return static_cast<uint8_t>(((high >> 7) * 0x0102040810204080ull) >> 56);
}

constexpr std::array<uint8_t, 256> MakePopcounts() {
  std::array<uint8_t, 256> t{};
  for (unsigned i = 0; i < 256; ++i) t[i] = static_cast<uint8_t>(std::popcount(i));
  return t;
}
constexpr auto kPopcount = MakePopcounts();

int NonZero(uint8_t tag) { return kPopcount[tag]; }

// For each tag, the positions of its set bits, lowest first (unused slots 0): packing a word
// copies bytes kCompress[tag][0..7] to eight consecutive output bytes and keeps NonZero(tag)
// of them, with no per-byte branch or dependency on the previous byte.
using CompressTable = std::array<std::array<uint8_t, 8>, 256>;
constexpr CompressTable MakeCompress() {
  CompressTable t{};
  for (unsigned tag = 0; tag < 256; ++tag) {
    unsigned k = 0;
    for (unsigned i = 0; i < 8; ++i) {
      if ((tag >> i) & 1u) t[tag][k++] = static_cast<uint8_t>(i);
    }
  }
  return t;
}
constexpr CompressTable kCompress = MakeCompress();

}  // namespace

std::string Pack(std::string_view plain) {
  const size_t full = plain.size() / 8;  // whole words; a last partial word is padded below
  const size_t words = (plain.size() + 7) / 8;
  std::string out(16 + words * 10, '\0');  // worst case: tag + 8 bytes + count per word
  auto* o = reinterpret_cast<uint8_t*>(out.data());
  size_t pos = 0;
  for (uint64_t n = plain.size();; n >>= 7) {  // LEB128 length
    if (n < 0x80) {
      o[pos++] = static_cast<uint8_t>(n);
      break;
    }
    o[pos++] = static_cast<uint8_t>((n & 0x7f) | 0x80);
  }
  const char* in = plain.data();
  uint64_t tail = 0;  // the last partial word, zero-padded
  if (full < words) std::memcpy(&tail, in + full * 8, plain.size() - full * 8);
  auto word_at = [&](size_t w) {
    uint64_t v;
    if (w < full) {
      std::memcpy(&v, in + w * 8, 8);
    } else {
      v = tail;
    }
    return v;
  };
  size_t w = 0;
  while (w < words) {
    const uint64_t word = word_at(w++);
    const uint8_t tag = TagOf(word);
    o[pos++] = tag;
    if (tag == 0xff) {
      std::memcpy(o + pos, &word, 8);
      pos += 8;
      // Further words with at most one zero byte are copied verbatim, up to 255 of them.
      const size_t start = w;
      while (w < words && w - start < 255 && NonZero(TagOf(word_at(w))) >= 7) ++w;
      o[pos++] = static_cast<uint8_t>(w - start);
      const size_t whole = std::min(w, full);  // the padded last word is copied on its own
      if (whole > start) {
        std::memcpy(o + pos, in + start * 8, (whole - start) * 8);
        pos += (whole - start) * 8;
      }
      if (w > std::max(start, full)) {  // the run ends with the padded last word
        std::memcpy(o + pos, &tail, 8);
        pos += 8;
      }
    } else if (tag != 0) {
      // Writes 8 bytes and keeps NonZero(tag): the buffer has room (at most 10 bytes per word).
      uint8_t bytes[8];
      std::memcpy(bytes, &word, 8);
      const std::array<uint8_t, 8>& from = kCompress[tag];
      for (unsigned i = 0; i < 8; ++i) o[pos + i] = bytes[from[i]];
      pos += static_cast<size_t>(NonZero(tag));
    } else {
      const size_t start = w;
      while (w < words && w - start < 255 && word_at(w) == 0) ++w;
      o[pos++] = static_cast<uint8_t>(w - start);
    }
  }
  out.resize(pos);
  return out;
}

Result<std::string> Unpack(std::string_view packed) {
  size_t pos = 0;
  uint64_t len = 0;
  for (int shift = 0;; shift += 7) {
    if (pos >= packed.size() || shift > 35) return Corruption("packed value: bad length");
    auto b = static_cast<uint8_t>(packed[pos++]);
    len |= uint64_t{b & 0x7fu} << shift;
    if ((b & 0x80) == 0) break;
  }
  if (len > kMaxUnpackedBytes) return Corruption("packed value: too long");
  const size_t padded = (static_cast<size_t>(len) + 7) / 8 * 8;
  std::string out(padded, '\0');
  auto* o = reinterpret_cast<uint8_t*>(out.data());
  const auto* in = reinterpret_cast<const uint8_t*>(packed.data());
  const size_t n = packed.size();
  size_t at = 0;  // bytes of `out` written
  while (at < padded) {
    if (pos >= n) return Corruption("packed value: truncated");
    uint8_t tag = in[pos++];
    if (pos + static_cast<size_t>(NonZero(tag)) > n) {
      return Corruption("packed value: truncated");
    }
    if (tag == 0xff) {
      std::memcpy(o + at, in + pos, 8);
      pos += 8;
    } else if (tag != 0) {
      for (unsigned i = 0; i < 8; ++i) {  // branch-free: take a byte where the tag has a bit
        unsigned bit = (tag >> i) & 1u;
        o[at + i] = bit ? in[pos] : uint8_t{0};
        pos += bit;
      }
    }
    at += 8;
    if (tag == 0x00 || tag == 0xff) {
      if (pos >= n) return Corruption("packed value: truncated");
      size_t run = in[pos++];
      if (at + run * 8 > padded) return Corruption("packed value: run too long");
      if (tag == 0xff) {
        if (pos + run * 8 > n) return Corruption("packed value: truncated");
        std::memcpy(o + at, in + pos, run * 8);
        pos += run * 8;
      }
      at += run * 8;  // zero words: `out` is already zero
    }
  }
  if (pos != n) return Corruption("packed value: trailing bytes");
  for (size_t i = static_cast<size_t>(len); i < padded; ++i) {
    if (o[i] != 0) return Corruption("packed value: non-zero padding");
  }
  out.resize(static_cast<size_t>(len));
  return out;
}

}  // namespace fulei::store::internal
