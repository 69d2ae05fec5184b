#include "crypto/transport.h"

#include "crypto/internal/bytes.h"

namespace fulei::crypto {

Transport::Transport(noise::CipherState send, noise::CipherState receive, RekeyPolicy rekey)
    : send_(std::move(send)), receive_(std::move(receive)), rekey_(rekey) {
  FULEI_CHECK(send_.HasKey() && receive_.HasKey());
  FULEI_CHECK(rekey_.max_messages > 0 && rekey_.max_bytes > 0);
}

Status Transport::SealTo(std::string_view message, std::string* out) {
  if (closed_) return FailedPrecondition("session closed");
  if (message.size() > kMaxFramePayload) {
    return InvalidArgument("message of " + std::to_string(message.size()) +
                           " bytes exceeds the frame limit");
  }
  size_t start = out->size();
  internal::PutU32(*out, static_cast<uint32_t>(message.size() + noise::kTagLen));
  std::string header = out->substr(start, kFrameHeaderBytes);
  Status s = send_.EncryptWithAd(header, message, out);
  if (!s.ok()) {
    out->resize(start);
    return CloseWith(s);
  }
  ++sent_messages_;
  sent_bytes_ += message.size();
  if (sent_messages_ >= rekey_.max_messages || sent_bytes_ >= rekey_.max_bytes) {
    send_.Rekey();
    ++rekeys_sent_;
    sent_messages_ = sent_bytes_ = 0;
  }
  return Status::Ok();
}

Result<std::string> Transport::Seal(std::string_view message) {
  std::string out;
  out.reserve(message.size() + kFrameOverhead);
  FULEI_RETURN_IF_ERROR(SealTo(message, &out));
  return out;
}

Status Transport::Feed(std::string_view bytes, std::vector<std::string>* messages) {
  if (closed_) return FailedPrecondition("session closed");
  buffer_.append(bytes);
  size_t pos = 0;
  Status result;
  while (buffer_.size() - pos >= kFrameHeaderBytes) {
    internal::Reader in(std::string_view(buffer_).substr(pos));
    uint32_t len = 0;
    (void)in.U32(&len);
    if (len < noise::kTagLen || len > kMaxFramePayload + noise::kTagLen) {
      result = Corruption("frame length " + std::to_string(len) + " out of bounds");
      break;
    }
    if (buffer_.size() - pos < kFrameHeaderBytes + len) break;  // wait for the rest
    std::string_view header = std::string_view(buffer_).substr(pos, kFrameHeaderBytes);
    std::string_view body = std::string_view(buffer_).substr(pos + kFrameHeaderBytes, len);
    std::string plain;
    plain.reserve(len - noise::kTagLen);
    Status s = receive_.DecryptWithAd(header, body, &plain);
    if (!s.ok()) {
      result = Corruption("frame failed authentication: " + s.message());
      break;
    }
    pos += kFrameHeaderBytes + len;
    ++recv_messages_;
    recv_bytes_ += plain.size();
    messages->push_back(std::move(plain));
    if (recv_messages_ >= rekey_.max_messages || recv_bytes_ >= rekey_.max_bytes) {
      receive_.Rekey();
      ++rekeys_received_;
      recv_messages_ = recv_bytes_ = 0;
    }
  }
  if (!result.ok()) return CloseWith(result);
  buffer_.erase(0, pos);
  return Status::Ok();
}

Status Transport::Finish() {
  if (closed_) return FailedPrecondition("session closed");
  if (!buffer_.empty()) return CloseWith(Corruption("stream ended inside a frame"));
  Close();
  return Status::Ok();
}

void Transport::Close() {
  closed_ = true;
  buffer_.clear();
  buffer_.shrink_to_fit();
  send_ = noise::CipherState();
  receive_ = noise::CipherState();
}

}  // namespace fulei::crypto
