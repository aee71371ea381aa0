// ffmpeg | x265 (see the header).
#include "agent/encode/encoder_pipe.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>

#include "absl/strings/str_cat.h"

namespace mkvfleet::agent::encode {
namespace {

absl::Status ToolFailed(const char* tool, const process::ProcessResult& r) {
  return absl::InternalError(
      absl::StrCat(tool, " ", r.Describe(), (r.stderr_tail.empty() ? "" : ": "), r.stderr_tail));
}

}  // namespace

absl::StatusOr<PipeResult> RunDecodeEncodePipe(const PipeRequest& req) {
  struct FdCloser {
    int fd;
    ~FdCloser() {
      if (fd >= 0) close(fd);
    }
  } encode_out{req.encode_stdout_fd};
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) {
    return absl::InternalError(absl::StrCat("pipe: ", std::strerror(errno)));
  }
  process::ProcessSpec dec;
  dec.argv = req.decode;
  dec.timeout = req.timeout;
  dec.cancel = req.cancel;
  dec.stdout_sink.kind = process::StdoutSink::Kind::kFd;
  dec.stdout_sink.fd = fds[1];
  absl::StatusOr<std::unique_ptr<process::Subprocess>> decoder =
      process::Subprocess::Start(std::move(dec));
  close(fds[1]);
  if (!decoder.ok()) {
    close(fds[0]);
    return decoder.status();
  }
  process::ProcessSpec enc;
  enc.argv = req.encode;
  enc.timeout = req.timeout;
  enc.cancel = req.cancel;
  enc.stdin_source.kind = process::StdinSource::Kind::kFd;
  enc.stdin_source.fd = fds[0];
  if (encode_out.fd >= 0) {
    enc.stdout_sink.kind = process::StdoutSink::Kind::kFd;
    enc.stdout_sink.fd = encode_out.fd;
  }
  enc.on_stderr_line = [&req](absl::string_view line) {
    if (req.on_encode_stderr_line) req.on_encode_stderr_line(line);
    if (!req.on_progress) return;
    if (std::optional<ToolProgress> p = ParseX265Progress(line)) req.on_progress(*p);
  };
  absl::StatusOr<std::unique_ptr<process::Subprocess>> encoder =
      process::Subprocess::Start(std::move(enc));
  close(fds[0]);  // the decoder now gets EPIPE if the encoder is gone
  close(encode_out.fd);  // the reader of the encoder's output now sees its end
  encode_out.fd = -1;
  if (!encoder.ok()) return encoder.status();  // the decoder is killed by its destructor

  absl::StatusOr<process::ProcessResult> dec_result;
  std::thread decode_waiter([&] {
    dec_result = (*decoder)->Wait();
    if (!dec_result.ok() || !dec_result->success()) (*encoder)->Kill();
  });
  absl::StatusOr<process::ProcessResult> enc_result = (*encoder)->Wait();
  if (!enc_result.ok() || !enc_result->success()) (*decoder)->Kill();
  decode_waiter.join();
  if (!enc_result.ok()) return enc_result.status();
  if (!dec_result.ok()) return dec_result.status();
  return PipeResult{*std::move(dec_result), *std::move(enc_result)};
}

absl::Status PipeStatus(const PipeResult& r) {
  if (r.decode.cancelled || r.encode.cancelled) return absl::CancelledError("encode cancelled");
  // A decoder failure makes the encoder see a short input or get killed: report the decoder.
  if (!r.decode.success() && (r.encode.success() || r.encode.term_signal != 0)) {
    return ToolFailed("ffmpeg (decode)", r.decode);
  }
  if (!r.encode.success()) return ToolFailed("x265", r.encode);
  if (!r.decode.success()) return ToolFailed("ffmpeg (decode)", r.decode);
  return absl::OkStatus();
}

}  // namespace mkvfleet::agent::encode
