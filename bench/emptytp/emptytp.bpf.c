// SPDX-License-Identifier: GPL-2.0
/*
 * emptytp: the floor of bench/overhead.  One tp_btf program that does
 * nothing on each _start and each end event maplat attaches to by
 * default: a latency consumer needs both, since the end events carry no
 * entry time.  So what a real tool adds can be told from what attaching
 * to those events costs at all (the BPF trampolines into the programs).
 * No kernel type is read: no vmlinux.h.  Names start "empty_" (15
 * characters at most: the kernel keeps no more; "s" before the operation
 * for a _start event), so a test can look for leftovers.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("tp_btf/iommufd_ioas_map_start")
int empty_fd_smap(void *ctx)
{
	return 0;
}

SEC("tp_btf/iommufd_ioas_map")
int empty_fd_map(void *ctx)
{
	return 0;
}

SEC("tp_btf/iommufd_ioas_unmap_start")
int empty_fd_sunmap(void *ctx)
{
	return 0;
}

SEC("tp_btf/iommufd_ioas_unmap")
int empty_fd_unmap(void *ctx)
{
	return 0;
}

SEC("tp_btf/iommufd_ioas_copy_start")
int empty_fd_scopy(void *ctx)
{
	return 0;
}

SEC("tp_btf/iommufd_ioas_copy")
int empty_fd_copy(void *ctx)
{
	return 0;
}

SEC("tp_btf/vfio_iommu_type1_dma_map_start")
int empty_t1_smap(void *ctx)
{
	return 0;
}

SEC("tp_btf/vfio_iommu_type1_dma_map")
int empty_t1_map(void *ctx)
{
	return 0;
}

SEC("tp_btf/vfio_iommu_type1_dma_unmap_start")
int empty_t1_sunmap(void *ctx)
{
	return 0;
}

SEC("tp_btf/vfio_iommu_type1_dma_unmap")
int empty_t1_unmap(void *ctx)
{
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
