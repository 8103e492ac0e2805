// Base64 (RFC 4648 §4, with padding) for etcd's JSON gateway, which carries keys and values as
// protobuf `bytes`. A thin wrapper over OpenSSL's EVP_EncodeBlock/EVP_DecodeBlock.
#pragma once

#include <string>
#include <string_view>

namespace fleet {

std::string base64_encode(std::string_view bytes);
// False on text that is not canonical padded base64 (out is then unspecified).
bool base64_decode(std::string_view text, std::string& out);

}  // namespace fleet
