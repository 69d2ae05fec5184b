// Replays a libFuzzer corpus through LLVMFuzzerTestOneInput without libFuzzer, so that gcc and
// sanitizer builds run every checked-in input as a test.
// Usage: <target> <corpus-dir-or-file>...  Fails when a path is missing or holds no input.
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {
int RunFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  return 1;
}
}  // namespace

int main(int argc, char** argv) {
  int inputs = 0;
  for (int i = 1; i < argc; ++i) {
    std::filesystem::path p(argv[i]);
    if (!std::filesystem::exists(p)) {
      std::fprintf(stderr, "corpus path %s does not exist\n", argv[i]);
      return 2;
    }
    if (std::filesystem::is_directory(p)) {
      for (const auto& entry : std::filesystem::recursive_directory_iterator(p)) {
        if (entry.is_regular_file()) inputs += RunFile(entry.path());
      }
    } else {
      inputs += RunFile(p);
    }
  }
  if (inputs == 0) {
    std::fprintf(stderr, "no corpus inputs found: the replay would prove nothing\n");
    return 2;
  }
  std::printf("replayed %d inputs\n", inputs);
  return 0;
}
