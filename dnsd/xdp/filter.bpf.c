// The XDP program dnsd attaches to its [xdp] interface: a DNS query (UDP to dnsd's port, opcode
// QUERY, not a fragment) goes to the AF_XDP socket of its receive queue; every other frame (ARP,
// ICMP, TCP, other ports, VLAN-tagged, IPv4 options or fragments, IPv6 extension headers, UPDATE
// and NOTIFY) is passed to the kernel, so the socket path keeps serving it.
// Built by clang -target bpf at build time and embedded in dnsd (CMakeLists.txt).
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

// Receive queue -> AF_XDP socket; filled by dnsd (xsk_socket__update_xskmap).
struct {
  __uint(type, BPF_MAP_TYPE_XSKMAP);
  __uint(max_entries, 256);
  __type(key, __u32);
  __type(value, __u32);
} dnsd_xsks SEC(".maps");

// Entry 0: dnsd's UDP port, host order; written by dnsd before the program is attached.
struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, 1);
  __type(key, __u32);
  __type(value, __u32);
} dnsd_port SEC(".maps");

SEC("xdp")
int dnsd_xdp(struct xdp_md* ctx) {
  void* data = (void*)(long)ctx->data;
  void* end = (void*)(long)ctx->data_end;
  struct ethhdr* eth = data;
  if ((void*)(eth + 1) > end) return XDP_PASS;
  struct udphdr* udp;
  if (eth->h_proto == bpf_htons(ETH_P_IP)) {
    struct iphdr* ip = (void*)(eth + 1);
    if ((void*)(ip + 1) > end) return XDP_PASS;
    if (ip->ihl != 5 || ip->protocol != IPPROTO_UDP) return XDP_PASS;
    if (ip->frag_off & bpf_htons(0x3fff)) return XDP_PASS;  // a fragment: the kernel reassembles
    udp = (void*)(ip + 1);
  } else if (eth->h_proto == bpf_htons(ETH_P_IPV6)) {
    struct ipv6hdr* ip6 = (void*)(eth + 1);
    if ((void*)(ip6 + 1) > end) return XDP_PASS;
    if (ip6->nexthdr != IPPROTO_UDP) return XDP_PASS;
    udp = (void*)(ip6 + 1);
  } else {
    return XDP_PASS;
  }
  // The UDP header and the DNS header's first three bytes (ID, then QR and OPCODE).
  unsigned char* dns = (void*)(udp + 1);
  if ((void*)(dns + 3) > end) return XDP_PASS;
  __u32 zero = 0;
  __u32* port = bpf_map_lookup_elem(&dnsd_port, &zero);
  if (!port || udp->dest != bpf_htons((__u16)*port)) return XDP_PASS;
  if (dns[2] & 0xf8) return XDP_PASS;  // a response, or not a QUERY (UPDATE, NOTIFY)
  // No socket on this queue (dnsd stopping): the kernel's socket path answers.
  return bpf_redirect_map(&dnsd_xsks, ctx->rx_queue_index, XDP_PASS);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
