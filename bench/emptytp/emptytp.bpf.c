// SPDX-License-Identifier: GPL-2.0
/*
 * emptytp: the floor of bench/overhead.  One tp_btf program that does
 * nothing on each end event maplat attaches to by default, so what a real
 * tool adds can be told from what attaching to those events costs at all
 * (the BPF trampoline into the program, and start_ns, which the series
 * takes on entry only while its end event is enabled).  No kernel type is
 * read: no vmlinux.h.  Names start "empty_" (15 characters at most: the
 * kernel keeps no more), so a test can look for leftovers.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("tp_btf/iommufd_ioas_map")
int empty_fd_map(void *ctx)
{
	return 0;
}

SEC("tp_btf/iommufd_ioas_unmap")
int empty_fd_unmap(void *ctx)
{
	return 0;
}

SEC("tp_btf/iommufd_ioas_copy")
int empty_fd_copy(void *ctx)
{
	return 0;
}

SEC("tp_btf/vfio_iommu_type1_dma_map")
int empty_t1_map(void *ctx)
{
	return 0;
}

SEC("tp_btf/vfio_iommu_type1_dma_unmap")
int empty_t1_unmap(void *ctx)
{
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
