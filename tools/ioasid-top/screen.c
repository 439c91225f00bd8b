// SPDX-License-Identifier: GPL-2.0
/* ioasid-top: the ncurses screen (keys in keys_help, model.c). */
#include <errno.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curses.h>

#include "bpftool.h"
#include "hist.h"
#include "top.h"

static SCREEN *scr;
static bool help;
static char msg[96];	/* one-line feedback (bad filter, delay bounds) */

int screen_init(void)
{
	const char *term = getenv("TERM");

	if (!term || !*term)
		return -1;
	scr = newterm(NULL, stdout, stdin);
	if (!scr)
		return -1;
	cbreak();
	noecho();
	keypad(stdscr, TRUE);
	curs_set(0);
	nodelay(stdscr, TRUE);
	if (has_colors()) {
		start_color();
		use_default_colors();
		init_pair(1, COLOR_WHITE, COLOR_RED);	/* storm */
		init_pair(2, COLOR_BLACK, COLOR_YELLOW);	/* fallback banner */
	}
	return 0;
}

void screen_end(void)
{
	if (!scr)
		return;
	endwin();
	delscreen(scr);
	scr = NULL;
}

/* The columns that fit @width: drop from the right, keep PID..IOAS. */
static int fit_cols(int width)
{
	int c, used = 1;

	for (c = 0; c < NR_COLS; c++) {
		if (used + cols[c].width + 1 > width && c > 0)
			break;
		used += cols[c].width + 1;
	}
	return c;
}

static void draw_header(const struct frame *f, const struct view *v, int *y)
{
	char sortname[32], filter[32];

	mvprintw((*y)++, 0, "ioasid-top - %s  %s  mode %s  refresh %lds", f->clock, f->kernel,
		 f->mode, v->delay);
	if (f->fallback)
		mvprintw((*y)++, 0, "Total: %.0f map/s %.0f unmap/s %.1f MiB/s  rows %d",
			 f->map_s, f->unmap_s, f->mib_s, f->nrows_all);
	else
		mvprintw((*y)++, 0, "Total: %.0f map/s %.0f unmap/s %.1f MiB/s %.0f flush/s "
			 "(+%.0f outside) %.0f fault/s %.0f inval/s %.0f dirty/s %.0f acc/s  "
			 "rows %d storms %d", f->map_s, f->unmap_s, f->mib_s, f->flush_s,
			 f->other_flush_s, f->fault_s, f->inval_s, f->dirty_s, f->access_s,
			 f->nrows_all, f->storms);
	snprintf(sortname, sizeof(sortname), "%s%s", cols[v->sort].sort,
		 v->reverse ? " (ascending)" : "");
	if (v->pid)
		snprintf(filter, sizeof(filter), "pid %d", v->pid);
	else
		snprintf(filter, sizeof(filter), "%s", v->comm[0] ? v->comm : "none");
	mvprintw((*y)++, 0, "View: %s  sort: %s  filter: %s  %s",
		 v->devices ? "devices" : "processes", sortname, filter, msg);
	if (f->fallback) {
		attron(has_colors() ? COLOR_PAIR(2) : A_REVERSE);
		mvprintw((*y)++, 0, "FALLBACK: %s: %s unavailable", f->forced ? "forced by -F" :
			 progs_tps.missing ? "no iommufd/vfio_iommu_type1 events" :
			 "neither backend's module is loaded", unavailable_text());
		attroff(has_colors() ? COLOR_PAIR(2) : A_REVERSE);
	}
	if (bpftool_unloaded())
		mvprintw((*y)++, 0, "Module(s) not loaded at start: %s: %s", bpftool_unloaded_list(),
			 f->fallback ? "seen through the syscalls" : "not traced (restart after loading)");
}

static void draw_storms(const struct frame *f, int *y)
{
	char as[16], sz[16];
	int i;

	for (i = 0; i < f->nrows; i++) {
		const struct row *r = f->rows[i];

		if (!r->storm)
			continue;
		attron(has_colors() ? COLOR_PAIR(1) | A_BOLD : A_REVERSE | A_BOLD);
		mvprintw((*y)++, 0, "FLUSH STORM pid %u %s %s IOAS %s: %.0f flushes/s, "
			 "%.1f per unmap, mean range %s", r->key.tgid, r->comm,
			 backend_name(r->key.backend), as_str(r, as, sizeof(as)), r->v[COL_FLUSH],
			 isnan(r->v[COL_FLUSH_UNMAP]) ? 0 : r->v[COL_FLUSH_UNMAP],
			 r->d.flush_ranged ? hist_size_str(r->d.flush_bytes / r->d.flush_ranged, sz,
							   sizeof(sz)) : "-");
		clrtoeol();
		attroff(has_colors() ? COLOR_PAIR(1) | A_BOLD : A_REVERSE | A_BOLD);
	}
}

static void draw_rows(const struct frame *f, const struct view *v, int y)
{
	int ncols = fit_cols(COLS), c, i, x;
	char buf[32];

	attron(A_REVERSE);
	mvhline(y, 0, ' ', COLS);
	x = 1;
	for (c = 0; c < ncols; c++) {
		mvprintw(y, x, cols[c].left ? "%-*s" : "%*s", cols[c].width, cols[c].head);
		if (c == v->sort) {
			attron(A_BOLD | A_UNDERLINE);
			mvprintw(y, x + (cols[c].left ? 0 : cols[c].width - (int)strlen(cols[c].head)),
				 "%s", cols[c].head);
			attroff(A_BOLD | A_UNDERLINE);
		}
		x += cols[c].width + 1;
	}
	attroff(A_REVERSE);
	y++;
	for (i = 0; i < f->nrows && y < LINES; i++, y++) {
		const struct row *r = f->rows[i];

		if (r->storm)
			attron(has_colors() ? COLOR_PAIR(1) : A_BOLD);
		mvaddch(y, 0, r->storm ? '!' : ' ');
		x = 1;
		for (c = 0; c < ncols; c++) {
			mvprintw(y, x, cols[c].left ? "%-*.*s" : "%*.*s", cols[c].width,
				 cols[c].width, cell(r, c, f->fallback, buf, sizeof(buf)));
			x += cols[c].width + 1;
		}
		if (r->storm)
			attroff(has_colors() ? COLOR_PAIR(1) : A_BOLD);
	}
	if (!f->nrows && y < LINES)
		mvprintw(y, 1, "(no DMA map activity in this interval%s)",
			 v->pid || v->comm[0] ? " matching the filter" : "");
}

/* A header line in reverse video. */
static void draw_head(int y, const char *text)
{
	attron(A_REVERSE);
	mvhline(y, 0, ' ', COLS);
	mvprintw(y, 0, "%s", text);
	attroff(A_REVERSE);
}

static void draw_devs(const struct frame *f, int y)
{
	char line[256];
	int i;

	draw_head(y++, dev_head(line, sizeof(line)));
	if (f->fallback) {
		mvprintw(y, 1, "(the device view needs the series' attach events)");
		return;
	}
	for (i = 0; i < f->ndevs && y < LINES; i++, y++)
		mvprintw(y, 0, "%s", dev_line(&f->devs[i], line, sizeof(line)));
	if (!f->ndevs && y < LINES)
		mvprintw(y++, 1, "(no attach or detach seen since start)");
	if (!f->nviommus || y + 2 >= LINES)
		return;
	draw_head(++y, viommu_head(line, sizeof(line)));
	for (i = 0, y++; i < f->nviommus && y < LINES; i++, y++)
		mvprintw(y, 0, "%s", viommu_line(&f->viommus[i], line, sizeof(line)));
}

static void draw_help(void)
{
	int y = 0;
	const char *p = keys_help, *nl;

	mvprintw(y++, 0, "ioasid-top keys (any key returns):");
	y++;
	while (*p && y < LINES) {
		nl = strchr(p, '\n');
		if (!nl)
			nl = p + strlen(p);
		mvprintw(y++, 0, "%.*s", (int)(nl - p), p);
		p = *nl ? nl + 1 : nl;
	}
	y++;
	if (y < LINES)
		mvprintw(y++, 0, "Columns: see ioasid-top --help; '!' marks a flush storm.");
}

static void draw(struct frame *f, struct view *v)
{
	int y = 0;

	erase();
	if (help) {
		draw_help();
	} else {
		draw_header(f, v, &y);
		draw_storms(f, &y);
		y++;
		if (v->devices)
			draw_devs(f, y);
		else
			draw_rows(f, v, y);
	}
	refresh();
}

/* Read a line at the bottom (blocking; Esc cancels). */
static int prompt(const char *what, char *buf, size_t len)
{
	size_t n = 0;
	int ch;

	nodelay(stdscr, FALSE);
	echo();
	curs_set(1);
	mvhline(LINES - 1, 0, ' ', COLS);
	mvprintw(LINES - 1, 0, "%s", what);
	refresh();
	for (;;) {
		ch = getch();
		if (ch == '\n' || ch == KEY_ENTER || ch == '\r')
			break;
		if (ch == 27 || ch == ERR) {
			n = 0;
			buf[0] = 0;
			noecho();
			curs_set(0);
			nodelay(stdscr, TRUE);
			return -1;
		}
		if ((ch == KEY_BACKSPACE || ch == 127 || ch == 8) && n) {
			n--;
			continue;
		}
		if (ch >= ' ' && ch < 127 && n + 1 < len)
			buf[n++] = ch;
	}
	buf[n] = 0;
	noecho();
	curs_set(0);
	nodelay(stdscr, TRUE);
	return 0;
}

/* One key: 0 quit, 2 reset, -1 for the rest (the view may have changed). */
static int on_key(int ch, struct view *v)
{
	char buf[64], why[96];

	msg[0] = 0;
	switch (ch) {
	case 'q':
	case 'Q':
		return 0;
	case 'h':
	case '?':
		help = true;
		break;
	case 's':
	case '>':
		v->sort = (v->sort + 1) % NR_COLS;
		break;
	case 'S':
	case '<':
		v->sort = (v->sort + NR_COLS - 1) % NR_COLS;
		break;
	case 'r':
		v->reverse = !v->reverse;
		break;
	case 'a':
		v->all = !v->all;
		break;
	case 'v':
	case '\t':
		v->devices = !v->devices;
		break;
	case 'f':
	case '/':
		if (prompt("filter (PID or COMM text, empty: none): ", buf, sizeof(buf)))
			break;
		if (parse_filter(buf, v, why, sizeof(why)))
			snprintf(msg, sizeof(msg), "%s", why);
		break;
	case 'c':
		return 2;
	case '+':
	case '=':
		if (v->delay < DELAY_MAX)
			v->delay++;
		else
			snprintf(msg, sizeof(msg), "delay at most %d s", DELAY_MAX);
		break;
	case '-':
		if (v->delay > DELAY_MIN)
			v->delay--;
		else
			snprintf(msg, sizeof(msg), "delay at least %d s", DELAY_MIN);
		break;
	case KEY_RESIZE:
		break;
	default:
		snprintf(msg, sizeof(msg), "unknown key: h for help");
	}
	return -1;
}

int screen_run(struct frame *f, struct view *v, volatile int *stop)
{
	struct timespec deadline, now;
	sigset_t mask;
	int ch, r;

	sigprocmask(SIG_SETMASK, NULL, &mask);
	sigdelset(&mask, SIGINT);
	sigdelset(&mask, SIGTERM);
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += v->delay;
	draw(f, v);
	for (;;) {
		struct pollfd pfd = { .fd = STDIN_FILENO, .events = POLLIN };
		struct timespec left;
		long ns;

		if (*stop)
			return 0;
		clock_gettime(CLOCK_MONOTONIC, &now);
		ns = (deadline.tv_sec - now.tv_sec) * 1000000000L + deadline.tv_nsec - now.tv_nsec;
		if (ns <= 0)
			return 1;
		left.tv_sec = ns / 1000000000L;
		left.tv_nsec = ns % 1000000000L;
		/* signals (SIGINT, SIGTERM, SIGWINCH) interrupt the wait */
		ppoll(&pfd, 1, &left, &mask);
		if (*stop)
			return 0;
		while ((ch = getch()) != ERR) {
			if (help && ch != KEY_RESIZE) {
				help = false;
				draw(f, v);
				continue;
			}
			r = on_key(ch, v);
			if (r >= 0)
				return r;
			frame_resort(f, v);
			draw(f, v);
		}
	}
}
