// SPDX-License-Identifier: GPL-2.0
/*
 * nvme-vfio: a fio external ioengine on the userspace NVMe driver
 * (bench/nvme/) over VFIO with an iommufd, type1 or compat DMA backend.
 *
 *   fio --thread --ioengine=external:nvme-vfio.so --bdf=0000:00:03.0 \
 *       --backend=iommufd --mapmode=static ...
 *
 * One process owns the device, so jobs run as threads (thread=1) and
 * share one controller; each job gets its own I/O queue pair.  The file
 * name is only a label: every file is the namespace.  Built against the
 * headers and config-host.h of the installed fio's own source (see
 * bench/fio/build-engine).
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fio.h"
#include "optgroup.h"

#include "nvme.h"

struct nv_opts {
	struct thread_data *td;	/* fio's: the first member of engine options */
	char *bdf;
	char *backend;
	char *mapmode;
	unsigned int qdepth;
	unsigned int nsid;
	unsigned int poll_sleep_us;
	unsigned int wait_stats;
};

struct nv_td {
	struct nvme_queue q;
	int have_q;
	unsigned int depth;
	struct nvme_cpl *cpl;
	struct io_u **events;
	int nevents;
	void *mem;		/* perio: fio's buffers, not mapped */
	size_t mem_len;
	struct nvme_dma dma;	/* static: fio's buffers, mapped once */
	uint64_t empty_polls;	/* wait_stats: polls that found nothing, */
	uint64_t empty_ns;	/* and the time from each one to the next poll */
};

/* The one controller of this fio process and who uses it. */
static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static struct nvme_ctrl g_ctrl;
static int g_refs;
static char g_key[96];

static struct fio_option options[] = {
	{
		.name = "bdf",
		.lname = "PCI address",
		.type = FIO_OPT_STR_STORE,
		.off1 = offsetof(struct nv_opts, bdf),
		.help = "PCI address of the NVMe bound to vfio-pci (0000:00:03.0)",
		.category = FIO_OPT_C_ENGINE,
		.group = FIO_OPT_G_INVALID,
	},
	{
		.name = "backend",
		.lname = "DMA backend",
		.type = FIO_OPT_STR_STORE,
		.off1 = offsetof(struct nv_opts, backend),
		.def = "iommufd",
		.help = "iommufd (vfio cdev + IOAS), type1 (group + container) or compat "
			"(group + iommufd as the container)",
		.category = FIO_OPT_C_ENGINE,
		.group = FIO_OPT_G_INVALID,
	},
	{
		.name = "mapmode",
		.lname = "DMA map mode",
		.type = FIO_OPT_STR_STORE,
		.off1 = offsetof(struct nv_opts, mapmode),
		.def = "static",
		.help = "static (buffers mapped once) or perio (map before, unmap after each I/O)",
		.category = FIO_OPT_C_ENGINE,
		.group = FIO_OPT_G_INVALID,
	},
	{
		.name = "qdepth",
		.lname = "NVMe queue depth",
		.type = FIO_OPT_INT,
		.off1 = offsetof(struct nv_opts, qdepth),
		.def = "0",
		.help = "commands in flight per queue pair (0: iodepth)",
		.category = FIO_OPT_C_ENGINE,
		.group = FIO_OPT_G_INVALID,
	},
	{
		.name = "nsid",
		.lname = "NVMe namespace",
		.type = FIO_OPT_INT,
		.off1 = offsetof(struct nv_opts, nsid),
		.def = "1",
		.help = "namespace ID",
		.category = FIO_OPT_C_ENGINE,
		.group = FIO_OPT_G_INVALID,
	},
	{
		.name = "poll_sleep_us",
		.lname = "sleep between empty polls",
		.type = FIO_OPT_INT,
		.off1 = offsetof(struct nv_opts, poll_sleep_us),
		.def = "0",
		.help = "sleep this long after an empty poll of the completion queue (0: spin)",
		.category = FIO_OPT_C_ENGINE,
		.group = FIO_OPT_G_INVALID,
	},
	{
		.name = "wait_stats",
		.lname = "report the time in empty polls",
		.type = FIO_OPT_BOOL,
		.off1 = offsetof(struct nv_opts, wait_stats),
		.def = "0",
		.help = "at the end, print per queue the empty CQ polls and the ns spent in them",
		.category = FIO_OPT_C_ENGINE,
		.group = FIO_OPT_G_INVALID,
	},
	{ .name = NULL },
};

/* Open the shared controller, or check the job asks for the same one. */
static int ctrl_get(struct thread_data *td)
{
	struct nv_opts *o = td->eo;
	enum vdev_backend be;
	enum nvme_mapmode mm;
	char key[sizeof(g_key)];
	int ret = 0;

	if (!o->bdf || !*o->bdf) {
		log_err("nvme-vfio: option bdf= is required (the PCI address of an NVMe bound to vfio-pci)\n");
		return 1;
	}
	if (vdev_backend_parse(o->backend, &be)) {
		log_err("nvme-vfio: backend=%s: must be iommufd, type1 or compat\n", o->backend);
		return 1;
	}
	if (nvme_mapmode_parse(o->mapmode, &mm)) {
		log_err("nvme-vfio: mapmode=%s: must be static or perio\n", o->mapmode);
		return 1;
	}
	if (!td->o.use_thread) {
		log_err("nvme-vfio: needs thread=1: one process owns the device, jobs share it\n");
		return 1;
	}
	snprintf(key, sizeof(key), "%s %s %s %u", o->bdf, o->backend, o->mapmode, o->nsid);
	pthread_mutex_lock(&g_lock);
	if (g_refs && strcmp(key, g_key)) {
		log_err("nvme-vfio: every job must use the same bdf, backend, mapmode and nsid "
			"(have '%s', this job asks '%s')\n", g_key, key);
		ret = 1;
	} else if (!g_refs) {
		if (nvme_open(&g_ctrl, o->bdf, be, o->nsid, mm)) {
			log_err("nvme-vfio: %s\n", g_ctrl.err);
			ret = 1;
		} else {
			memcpy(g_key, key, sizeof(key));
		}
	}
	if (!ret)
		g_refs++;
	pthread_mutex_unlock(&g_lock);
	return ret;
}

static void ctrl_put(void)
{
	pthread_mutex_lock(&g_lock);
	if (g_refs && !--g_refs)
		nvme_close(&g_ctrl);
	pthread_mutex_unlock(&g_lock);
}

/* The namespace size for every file; fio calls this in the parent and the job. */
static int nv_setup(struct thread_data *td)
{
	struct nv_td *nd = td->io_ops_data;
	struct fio_file *f;
	unsigned int i;

	if (!nd) {
		nd = calloc(1, sizeof(*nd));
		if (!nd)
			return 1;
		if (ctrl_get(td)) {
			free(nd);
			return 1;
		}
		td->io_ops_data = nd;
	}
	for_each_file(td, f, i) {
		f->real_file_size = g_ctrl.nsze << g_ctrl.lba_shift;
		fio_file_set_size_known(f);
	}
	return 0;
}

static int nv_init(struct thread_data *td)
{
	struct nv_opts *o = td->eo;
	struct nv_td *nd;
	unsigned int bs = 1u << g_ctrl.lba_shift;

	if (nv_setup(td))
		return 1;
	nd = td->io_ops_data;
	if (td->o.min_bs[DDIR_READ] % bs || td->o.min_bs[DDIR_WRITE] % bs) {
		log_err("nvme-vfio: bs must be a multiple of the %u-byte block size\n", bs);
		return 1;
	}
	if (td_max_bs(td) > g_ctrl.max_xfer) {
		log_err("nvme-vfio: bs %llu is above the controller's transfer limit (%u bytes)\n",
			td_max_bs(td), g_ctrl.max_xfer);
		return 1;
	}
	nd->depth = o->qdepth ? o->qdepth : td->o.iodepth;
	if (nd->depth < td->o.iodepth) {
		log_err("nvme-vfio: qdepth=%u is below iodepth=%u\n", nd->depth, td->o.iodepth);
		return 1;
	}
	nd->cpl = calloc(nd->depth, sizeof(*nd->cpl));
	nd->events = calloc(nd->depth, sizeof(*nd->events));
	if (!nd->cpl || !nd->events)
		return 1;
	if (nvme_qpair_create(&g_ctrl, &nd->q, nd->depth)) {
		log_err("nvme-vfio: %s\n", g_ctrl.err);
		return 1;
	}
	nd->have_q = 1;
	nd->q.defer_db = 1;	/* commit() rings once per batch */
	return 0;
}

static void nv_cleanup(struct thread_data *td)
{
	struct nv_td *nd = td->io_ops_data;
	struct nv_opts *o = td->eo;

	if (!nd)
		return;
	/* stderr: fio's JSON on stdout stays clean; fio-compare -I reads it. */
	if (nd->have_q && o->wait_stats)
		log_err("nvme-vfio: wait_stats qid=%u empty_polls=%llu empty_ns=%llu\n", nd->q.qid,
			(unsigned long long)nd->empty_polls, (unsigned long long)nd->empty_ns);
	if (nd->have_q && nvme_qpair_delete(&g_ctrl, &nd->q))
		log_err("nvme-vfio: %s\n", g_ctrl.err);
	free(nd->cpl);
	free(nd->events);
	free(nd);
	td->io_ops_data = NULL;
	ctrl_put();
}

/* fio's I/O buffers: in static mode mapped for DMA once, here. */
static int nv_iomem_alloc(struct thread_data *td, size_t total)
{
	struct nv_td *nd = td->io_ops_data;

	if (g_ctrl.mapmode == NVME_MAP_STATIC) {
		if (nvme_dma_alloc(&g_ctrl, total, &nd->dma)) {
			log_err("nvme-vfio: %s\n", g_ctrl.err);
			return 1;
		}
		td->orig_buffer = nd->dma.va;
		return 0;
	}
	nd->mem_len = total;
	nd->mem = mmap(NULL, total, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (nd->mem == MAP_FAILED) {
		nd->mem = NULL;
		return 1;
	}
	td->orig_buffer = nd->mem;
	return 0;
}

static void nv_iomem_free(struct thread_data *td)
{
	struct nv_td *nd = td->io_ops_data;

	if (!nd)
		return;
	if (nd->dma.va)
		nvme_dma_free(&g_ctrl, &nd->dma);
	if (nd->mem)
		munmap(nd->mem, nd->mem_len);
	nd->mem = NULL;
}

static enum fio_q_status nv_queue(struct thread_data *td, struct io_u *io_u)
{
	struct nv_td *nd = td->io_ops_data;
	unsigned int shift = g_ctrl.lba_shift;
	uint8_t opc;
	int ret;

	fio_ro_check(td, io_u);
	switch (io_u->ddir) {
	case DDIR_READ: opc = NVME_CMD_READ; break;
	case DDIR_WRITE: opc = NVME_CMD_WRITE; break;
	case DDIR_SYNC: opc = NVME_CMD_FLUSH; break;
	default:
		io_u->error = EOPNOTSUPP;
		return FIO_Q_COMPLETED;
	}
	if (opc != NVME_CMD_FLUSH &&
	    ((io_u->offset | io_u->xfer_buflen) & ((1ULL << shift) - 1))) {
		io_u->error = EINVAL;
		return FIO_Q_COMPLETED;
	}
	ret = nvme_submit(&g_ctrl, &nd->q, opc, io_u->xfer_buf, io_u->offset >> shift,
			  opc == NVME_CMD_FLUSH ? 0 : io_u->xfer_buflen >> shift, io_u);
	if (ret == -EBUSY)
		return FIO_Q_BUSY;
	if (ret) {
		log_err("nvme-vfio: %s\n", g_ctrl.err);
		io_u->error = -ret;
		return FIO_Q_COMPLETED;
	}
	return FIO_Q_QUEUED;
}

/* One doorbell write for everything queue() added since the last one. */
static int nv_commit(struct thread_data *td)
{
	struct nv_td *nd = td->io_ops_data;

	nvme_ring(&nd->q);
	return 0;
}

static uint64_t ts_ns(const struct timespec *t)
{
	return t->tv_sec * 1000000000ULL + t->tv_nsec;
}

static int nv_getevents(struct thread_data *td, unsigned int min, unsigned int max,
			const struct timespec *t)
{
	struct nv_td *nd = td->io_ops_data;
	struct nv_opts *o = td->eo;
	struct timespec start, prev, now;
	uint64_t limit_ms = g_ctrl.timeout_ms, el;
	char sbuf[96];
	int n, i;

	if (t)
		limit_ms = t->tv_sec * 1000ULL + t->tv_nsec / 1000000;
	nvme_ring(&nd->q);	/* anything queued but not yet committed */
	clock_gettime(CLOCK_MONOTONIC, &start);
	prev = start;
	nd->nevents = 0;
	for (;;) {
		n = nvme_poll(&g_ctrl, &nd->q, nd->cpl, (int)(max - nd->nevents));
		for (i = 0; i < n; i++) {
			struct io_u *io_u = nd->cpl[i].ctx;

			if (!io_u)
				continue;
			if (nd->cpl[i].status) {
				log_err("nvme-vfio: %s at offset %llu: %s\n",
					io_ddir_name(io_u->ddir), io_u->offset,
					nvme_status_str(nd->cpl[i].status, sbuf, sizeof(sbuf)));
				io_u->error = EIO;
			} else {
				io_u->resid = 0;
				io_u->error = 0;
			}
			nd->events[nd->nevents++] = io_u;
		}
		if ((unsigned int)nd->nevents >= min && (nd->nevents || !min))
			break;
		if (!n && o->poll_sleep_us)
			usleep(o->poll_sleep_us);
		clock_gettime(CLOCK_MONOTONIC, &now);
		/* Waiting for the device, not the I/O path: under QEMU -icount
		 * this is what makes CPU time per I/O vary between runs.  Not
		 * during the ramp, which fio's figures leave out too. */
		if (!n && (!td->o.ramp_time || td->ramp_time_over)) {
			nd->empty_polls++;
			nd->empty_ns += ts_ns(&now) - ts_ns(&prev);
		}
		prev = now;
		el = (now.tv_sec - start.tv_sec) * 1000ULL + (now.tv_nsec - start.tv_nsec) / 1000000;
		if (el > limit_ms) {
			if (t)
				break;
			log_err("nvme-vfio: no completion after %llu ms on queue %u\n",
				(unsigned long long)el, nd->q.qid);
			return -ETIMEDOUT;
		}
	}
	return nd->nevents;
}

static struct io_u *nv_event(struct thread_data *td, int ev)
{
	struct nv_td *nd = td->io_ops_data;

	return nd->events[ev];
}

static int nv_open_file(struct thread_data *td, struct fio_file *f)
{
	return 0;
}

static int nv_close_file(struct thread_data *td, struct fio_file *f)
{
	return 0;
}

static int nv_get_file_size(struct thread_data *td, struct fio_file *f)
{
	if (!g_refs)
		return 1;
	f->real_file_size = g_ctrl.nsze << g_ctrl.lba_shift;
	fio_file_set_size_known(f);
	return 0;
}

struct ioengine_ops ioengine = {
	.name = "nvme-vfio",
	.version = FIO_IOOPS_VERSION,
	.flags = FIO_DISKLESSIO | FIO_NOEXTEND | FIO_NODISKUTIL | FIO_MEMALIGN,
	.setup = nv_setup,
	.init = nv_init,
	.queue = nv_queue,
	.commit = nv_commit,
	.getevents = nv_getevents,
	.event = nv_event,
	.cleanup = nv_cleanup,
	.open_file = nv_open_file,
	.close_file = nv_close_file,
	.get_file_size = nv_get_file_size,
	.iomem_alloc = nv_iomem_alloc,
	.iomem_free = nv_iomem_free,
	.option_struct_size = sizeof(struct nv_opts),
	.options = options,
};
