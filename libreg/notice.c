#include "notice.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "license.h"
#include "seal.h"

/* A4 portrait (docs/notices.md): the text between LEFT and LEFT + WIDTH, body type SIZE. */
#define LEFT 25.0
#define WIDTH 160.0
#define SIZE 3.7
#define LEADING 1.5
#define LABEL_W 30.0
#define BODY_TOP 56.0
#define CONT_TOP 28.0
#define BOTTOM 272.0
/* The closing block: the authority's name and the date, the stamp pressed over them. */
#define SIGN_X 150.0
#define SIGN_NEED 40.0
/* A last paragraph shorter than this (mm) is kept on the sheet of the closing block. */
#define KEEP_MAX 60.0

/* What the start of every sheet needs to know. */
struct sheet {
	const reg_notice_head *head;
	const char *title, *subtitle;
};

static const char *or_empty(const char *s)
{
	return s ? s : "";
}

/* The first sheet: the authority's name in red over a red rule (红头), the title, the
 * reference number; every later sheet a running head of title and reference. */
static int notice_sheet(reg_pages *d, size_t index, void *ctx, reg_err **errp)
{
	(void)errp;
	const struct sheet *s = ctx;
	char line[512];
	if (index > 0) {
		snprintf(line, sizeof line, "%s（续）", s->title);
		reg_pages_text(d, "running-head", LEFT, 20, 3.5, REG_PAGE_START, line);
		if (s->head->reference)
			reg_pages_text(d, "reference", LEFT + WIDTH, 20, 3.5, REG_PAGE_END,
				       s->head->reference);
		reg_pages_rule(d, LEFT, 22.5, LEFT + WIDTH, 22.5, 0.3, REG_PAGE_INK);
		reg_pages_body(d, CONT_TOP, BOTTOM);
		return 0;
	}
	reg_pages_body(d, 22, BOTTOM);
	/* The authority's name may be long: it flows (and shrinks to fit one line first). */
	double em = reg_text_em(or_empty(s->head->authority), strlen(or_empty(s->head->authority)));
	double size = em * 7 > WIDTH ? WIDTH / em : 7;
	xmlNode *a = reg_pages_text(d, "authority-head", LEFT + WIDTH / 2, 26, size < 4 ? 4 : size,
				    REG_PAGE_MIDDLE, or_empty(s->head->authority));
	if (a) {
		xmlSetProp(a, BAD_CAST "fill", BAD_CAST REG_PAGE_RED);
		xmlSetProp(a, BAD_CAST "font-weight", BAD_CAST "bold");
		xmlSetProp(a, BAD_CAST "font-family", BAD_CAST REG_FONT_SONG);
	}
	reg_pages_rule(d, LEFT, 30, LEFT + WIDTH, 30, 0.8, REG_PAGE_RED);
	xmlNode *t = reg_pages_text(d, "title", LEFT + WIDTH / 2, 42, 9, REG_PAGE_MIDDLE, s->title);
	if (t) {
		xmlSetProp(t, BAD_CAST "font-weight", BAD_CAST "bold");
		xmlSetProp(t, BAD_CAST "letter-spacing", BAD_CAST "1");
	}
	if (s->subtitle)
		reg_pages_text(d, "subtitle", LEFT + WIDTH / 2, 48, SIZE, REG_PAGE_MIDDLE,
			       s->subtitle);
	if (s->head->reference)
		reg_pages_text(d, "reference", LEFT + WIDTH, s->subtitle ? 53 : 51, 3.5,
			       REG_PAGE_END,
			       s->head->reference);
	reg_pages_body(d, BODY_TOP, BOTTOM);
	return 0;
}

static reg_pages *begin(const reg_notice_head *head, struct sheet *s, const char *name,
			const char *title, reg_err **errp)
{
	s->head = head;
	s->title = title;
	char t[256];
	snprintf(t, sizeof t, "%s %s", title, or_empty(head->reference));
	reg_pages *d = reg_pages_new(REG_PAGE_A4_PORTRAIT, name, t, notice_sheet, s);
	if (!d) {
		reg_err_oom(errp);
		return NULL;
	}
	reg_pages_set_leading(d, LEADING);
	reg_pages_number_at(d, LEFT + WIDTH / 2, 287, REG_PAGE_MIDDLE);
	if (head->test_authority)
		reg_pages_mark_sample(d, 14);
	if (reg_pages_add(d, errp) < 0) {
		reg_pages_free(d);
		return NULL;
	}
	return d;
}

/* "乌海市恒泰商贸有限公司：" */
static int addressee(reg_pages *d, const char *to, reg_err **errp)
{
	char *line = NULL;
	if (asprintf(&line, "%s：", or_empty(to)) < 0)
		return reg_err_oom(errp);
	int rc = reg_pages_paragraph(d, "addressee", LEFT, WIDTH, SIZE, 0, line, errp);
	free(line);
	reg_pages_skip(d, 1);
	return rc;
}

/* A paragraph of the body, its first line indented two characters. */
static int body(reg_pages *d, const char *cls, const char *text, reg_err **errp)
{
	int rc = reg_pages_paragraph(d, cls, LEFT, WIDTH, SIZE, 2, text, errp);
	reg_pages_skip(d, 1.5);
	return rc;
}

/* A formatted paragraph. */
static int bodyf(reg_pages *d, reg_err **errp, const char *cls, const char *fmt, ...)
	REG_PRINTF(4, 5);

static int bodyf(reg_pages *d, reg_err **errp, const char *cls, const char *fmt, ...)
{
	va_list ap;
	char *text = NULL;
	va_start(ap, fmt);
	int n = vasprintf(&text, fmt, ap);
	va_end(ap);
	if (n < 0)
		return reg_err_oom(errp);
	int rc = body(d, cls, text, errp);
	free(text);
	return rc;
}

/* 受理号  150302-…: a field of the document; left out when it has no value. */
static int field(reg_pages *d, const char *label, const char *cls, const char *value,
		 reg_err **errp)
{
	if (!value)
		return 0;
	return reg_pages_field(d, "label", cls, LEFT + 2 * SIZE, LABEL_W, WIDTH - 2 * SIZE, SIZE,
			       label, value, errp);
}

/* A heading of a part of the document, kept with the first line under it. */
static int section(reg_pages *d, const char *title, reg_err **errp)
{
	reg_pages_skip(d, 2);
	if (reg_pages_need(d, LEADING * SIZE * 3, errp) < 0)
		return -1;
	xmlNode *t = reg_pages_text(d, "section", LEFT, reg_pages_cursor(d) + 0.88 * SIZE, SIZE,
				    REG_PAGE_START, title);
	if (t)
		xmlSetProp(t, BAD_CAST "font-weight", BAD_CAST "bold");
	reg_pages_skip(d, LEADING * SIZE);
	return 0;
}

static double paragraph_height(const char *text)
{
	return (double)reg_text_lines(text, WIDTH / SIZE, 2) * LEADING * SIZE;
}

/* The last paragraph (under its heading, when it has one), the contact line and the closing
 * block: the authority and the date, its stamp pressed over them.  A short last paragraph
 * stays on the sheet of the closing block, a long one keeps its last two lines there;
 * should the block still have to open a sheet of its own, that sheet says （此页无正文）, as
 * official documents do. */
static int closing(reg_pages *d, const reg_notice_head *head, const char *heading,
		   const char *cls, const char *last, reg_err **errp)
{
	double after = (head->contact ? paragraph_height(head->contact) : 0) + 1.5 + 4 + SIGN_NEED;
	double tail = paragraph_height(last) + (heading ? 2 + LEADING * SIZE : 0);
	if (reg_pages_need(d, tail <= KEEP_MAX ? tail + after : 4 * LEADING * SIZE, errp) < 0 ||
	    (heading && section(d, heading, errp) < 0) ||
	    reg_pages_paragraph_keep(d, cls, LEFT, WIDTH, SIZE, 2, last, after, errp) < 0)
		return -1;
	reg_pages_skip(d, 1.5);
	if (head->contact &&
	    reg_pages_paragraph(d, "contact", LEFT, WIDTH, SIZE, 2, head->contact, errp) < 0)
		return -1;
	reg_pages_skip(d, 4);
	size_t pages = reg_pages_count(d);
	if (reg_pages_need(d, SIGN_NEED, errp) < 0)
		return -1;
	if (reg_pages_count(d) != pages) {
		reg_pages_text(d, "no-text", LEFT + 2 * SIZE, reg_pages_cursor(d) + 0.88 * SIZE,
			       SIZE,
			       REG_PAGE_START, "（此页无正文）");
		reg_pages_skip(d, LEADING * SIZE);
	}
	double y = reg_pages_cursor(d) + 14;
	reg_pages_text(d, "signature", SIGN_X, y, SIZE, REG_PAGE_MIDDLE, or_empty(head->authority));
	reg_pages_text(d, "date", SIGN_X, y + 9, SIZE, REG_PAGE_MIDDLE, or_empty(head->date));
	if (head->stamp && reg_pages_stamp(d, head->stamp, or_empty(head->authority),
					   head->test_authority, SIGN_X, y + 4, errp) < 0)
		return -1;
	reg_pages_skip(d, SIGN_NEED);
	return 0;
}

/* closing() with the last paragraph formatted. */
static int closingf(reg_pages *d, const reg_notice_head *head, const char *cls, reg_err **errp,
		    const char *fmt, ...) REG_PRINTF(5, 6);

static int closingf(reg_pages *d, const reg_notice_head *head, const char *cls, reg_err **errp,
		    const char *fmt, ...)
{
	va_list ap;
	char *text = NULL;
	va_start(ap, fmt);
	int n = vasprintf(&text, fmt, ap);
	va_end(ap);
	if (n < 0)
		return reg_err_oom(errp);
	int rc = closing(d, head, NULL, cls, text, errp);
	free(text);
	return rc;
}

static int finish(reg_pages *d, reg_document **docs, size_t *count, reg_err **errp)
{
	int rc = reg_pages_finish(d, NULL, docs, count, errp);
	reg_pages_free(d);
	return rc;
}

/* Strings joined with "；", the separator of a list inside a sentence; NULL when out of
 * memory. */
static char *joined(const char *const *parts, size_t n)
{
	size_t len = 1;
	for (size_t i = 0; i < n; i++)
		len += strlen(or_empty(parts[i])) + strlen("；");
	char *s = malloc(len);
	if (!s)
		return NULL;
	s[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		if (i)
			strcat(s, "；");
		strcat(s, or_empty(parts[i]));
	}
	return s;
}

/* A table's cells, rows × cols strings, and the row numbers that go into its first column;
 * each owned cell (the joined lists) is freed with it. */
struct cells {
	const char **cell;
	char **owned;
	char (*number)[24];
	size_t rows, cols;
};

static int cells_new(struct cells *c, size_t rows, size_t cols, reg_err **errp)
{
	c->rows = rows;
	c->cols = cols;
	c->cell = calloc(rows * cols + 1, sizeof *c->cell);
	c->owned = calloc(rows * cols + 1, sizeof *c->owned);
	c->number = calloc(rows + 1, sizeof *c->number);
	if (!c->cell || !c->owned || !c->number)
		return reg_err_oom(errp);
	for (size_t r = 0; r < rows; r++) {
		snprintf(c->number[r], sizeof c->number[r], "%zu", r + 1);
		c->cell[r * cols] = c->number[r];
	}
	return 0;
}

/* Put a joined list into a cell; -1 when out of memory. */
static int cells_join(struct cells *c, size_t row, size_t col, const char *const *parts,
		      size_t n, reg_err **errp)
{
	char *s = joined(parts, n);
	if (!s)
		return reg_err_oom(errp);
	c->owned[row * c->cols + col] = s;
	c->cell[row * c->cols + col] = s;
	return 0;
}

static void cells_free(struct cells *c)
{
	for (size_t i = 0; c->owned && i < c->rows * c->cols; i++)
		free(c->owned[i]);
	free(c->owned);
	free(c->cell);
	free(c->number);
}

/* ---- 受理通知书 -------------------------------------------------------------------------------- */

int reg_notice_acceptance(const reg_acceptance_notice *n, const char *name, reg_document **docs,
			  size_t *count, reg_err **errp)
{
	struct sheet s = {0};
	struct cells items = {0}, owed = {0};
	int rc = -1;
	reg_pages *d = begin(&n->head, &s, name ? name : "acceptance", "受理通知书", errp);
	if (!d)
		return -1;
	if (addressee(d, n->enterprise, errp) < 0 ||
	    bodyf(d, errp, "body",
		  "你（单位）于%s提交的%s设立登记申请，经审查，申请材料齐全、符合法定形式%s，"
		  "本机关决定予以受理。受理号：%s。",
		  or_empty(n->accepted_at), or_empty(n->enterprise),
		  n->n_commitments ? "（下列容缺材料已书面承诺补交）" : "", or_empty(n->number)) < 0)
		goto out;
	if (field(d, "受 理 号", "number", n->number, errp) < 0 ||
	    field(d, "企业名称", "enterprise", n->enterprise, errp) < 0 ||
	    field(d, reg_legal_form_person_label(n->form), "person", n->legal_rep, errp) < 0 ||
	    field(d, "受理时间", "accepted-at", n->accepted_at, errp) < 0 ||
	    field(d, "受理窗口", "window", n->window, errp) < 0 ||
	    field(d, "受 理 人", "clerk", n->clerk, errp) < 0)
		goto out;

	static const double item_w[] = {14, 56, 38, 52};
	static const char *const item_head[] = {"序号", "申请事项", "办理部门", "承诺办结时间"};
	static const char *const item_cls[] = {"item-number", "item", "department", "due"};
	if (section(d, "一、申请事项", errp) < 0 || cells_new(&items, n->n_items, 4, errp) < 0)
		goto out;
	for (size_t i = 0; i < n->n_items; i++) {
		const reg_notice_item *it = &n->items[i];
		items.cell[i * 4] = it->number ? it->number : items.number[i];
		items.cell[i * 4 + 1] = it->name;
		items.cell[i * 4 + 2] = it->department;
		items.cell[i * 4 + 3] = it->due;
	}
	if (reg_pages_table(d, LEFT, 4, item_w, item_head, item_cls, items.cell, n->n_items, SIZE,
			    errp) < 0)
		goto out;

	if (n->n_commitments) {
		static const double owed_w[] = {14, 96, 50};
		static const char *const owed_head[] = {"序号", "容缺材料", "承诺补交期限"};
		static const char *const owed_cls[] = {NULL, "material", "material-due"};
		if (section(d, "二、容缺受理承诺", errp) < 0 ||
		    body(d, "body", "你（单位）已书面承诺在下列期限内补交以下材料，逾期未补交的，"
			 "本机关将依法处理：", errp) < 0 ||
		    cells_new(&owed, n->n_commitments, 3, errp) < 0)
			goto out;
		for (size_t i = 0; i < n->n_commitments; i++) {
			owed.cell[i * 3 + 1] = n->commitments[i].material;
			owed.cell[i * 3 + 2] = n->commitments[i].due;
		}
		if (reg_pages_table(d, LEFT, 3, owed_w, owed_head, owed_cls, owed.cell,
				    n->n_commitments, SIZE, errp) < 0)
			goto out;
	}
	if (closing(d, &n->head, n->n_commitments ? "三、后续办理" : "二、后续办理", "next",
		    n->next ? n->next
			    : "各部门将在承诺时限内并联审批，全部办结后请凭本通知书到本窗口一次领取"
			      "营业执照、登记备案结果和免费刻制的印章；容缺材料请在承诺期限内补交。",
		    errp) < 0)
		goto out;
	rc = finish(d, docs, count, errp);
	d = NULL;
out:
	reg_pages_free(d);
	cells_free(&items);
	cells_free(&owed);
	return rc;
}

/* ---- 一次性告知书 ------------------------------------------------------------------------------ */

int reg_notice_onetime(const reg_onetime_notice *n, const char *name, reg_document **docs,
		       size_t *count, reg_err **errp)
{
	bool supplement = n->kind == REG_ONETIME_SUPPLEMENT;
	struct sheet s = {.subtitle = supplement ? "（补正材料）" : "（不予受理）"};
	struct cells c = {0};
	int rc = -1;
	reg_pages *d = begin(&n->head, &s, name ? name : "onetime", "一次性告知书", errp);
	if (!d)
		return -1;
	char number[160] = "";
	if (n->number)
		snprintf(number, sizeof number, "（%s：%.100s）", supplement ? "受理号" : "申请编号",
			 n->number);
	if (addressee(d, n->enterprise, errp) < 0)
		goto out;
	if (supplement ? bodyf(d, errp, "body",
			       "你（单位）申请的%s登记事项%s，经审查，需要补正材料。现将需要补正"
			       "的全部内容一次性告知如下：", or_empty(n->enterprise), number)
		       : bodyf(d, errp, "body",
			       "你（单位）提交的%s登记申请%s，经审查，存在下列问题，本窗口不予受理。"
			       "现将发现的全部问题一次性告知如下：", or_empty(n->enterprise), number))
		goto out;

	/* One layout, the columns the kind needs. */
	static const double sup_w[] = {12, 26, 34, 48, 40};
	static const char *const sup_head[] = {"序号", "办理部门", "事项", "原因", "需补正材料"};
	static const char *const sup_cls[] = {NULL, "department", "subject", "reasons", "bring"};
	static const double ref_w[] = {12, 48, 100};
	static const char *const ref_head[] = {"序号", "栏目", "问题说明"};
	static const char *const ref_cls[] = {NULL, "subject", "reasons"};
	size_t cols = supplement ? 5 : 3;
	if (cells_new(&c, n->n_problems, cols, errp) < 0)
		goto out;
	for (size_t i = 0; i < n->n_problems; i++) {
		const reg_notice_problem *p = &n->problems[i];
		if (supplement) {
			c.cell[i * cols + 1] = p->department;
			c.cell[i * cols + 2] = p->subject;
			if (cells_join(&c, i, 3, p->reasons, p->n_reasons, errp) < 0 ||
			    cells_join(&c, i, 4, p->bring, p->n_bring, errp) < 0)
				goto out;
		} else {
			c.cell[i * cols + 1] = p->subject;
			if (cells_join(&c, i, 2, p->reasons, p->n_reasons, errp) < 0)
				goto out;
		}
	}
	if (reg_pages_table(d, LEFT, cols, supplement ? sup_w : ref_w,
			    supplement ? sup_head : ref_head, supplement ? sup_cls : ref_cls,
			    c.cell, n->n_problems, SIZE, errp) < 0)
		goto out;
	reg_pages_skip(d, 3);
	if (supplement ? closingf(d, &n->head, "instruction", errp,
				  "请于%s前将上述材料一次性提交至%s。补正材料齐全后，本机关将继续办理。",
				  n->due ? n->due : "补正期限届满", n->where ? n->where : "本窗口")
		       : closing(d, &n->head, NULL, "instruction",
				 "本告知书所列为本次审查发现的全部问题。请按上述问题修改后重新提交申请。",
				 errp))
		goto out;
	rc = finish(d, docs, count, errp);
	d = NULL;
out:
	reg_pages_free(d);
	cells_free(&c);
	return rc;
}

/* ---- 不予登记通知书 ---------------------------------------------------------------------------- */

int reg_notice_rejection(const reg_rejection_notice *n, const char *name, reg_document **docs,
			 size_t *count, reg_err **errp)
{
	struct sheet s = {0};
	struct cells c = {0};
	int rc = -1;
	reg_pages *d = begin(&n->head, &s, name ? name : "rejection", "不予登记通知书", errp);
	if (!d)
		return -1;
	if (addressee(d, n->enterprise, errp) < 0 ||
	    bodyf(d, errp, "body",
		  "你（单位）申请的%s登记事项（受理号：%s），经审查，下列事项不符合法定条件，"
		  "本机关决定不予登记（备案）：", or_empty(n->enterprise), or_empty(n->number)) < 0)
		goto out;
	static const double w[] = {12, 48, 30, 70};
	static const char *const head[] = {"序号", "事项", "办理部门", "不予登记的理由"};
	static const char *const cls[] = {NULL, "item", "department", "reasons"};
	if (cells_new(&c, n->n_items, 4, errp) < 0)
		goto out;
	for (size_t i = 0; i < n->n_items; i++) {
		c.cell[i * 4 + 1] = n->items[i].item;
		c.cell[i * 4 + 2] = n->items[i].department;
		if (cells_join(&c, i, 3, n->items[i].reasons, n->items[i].n_reasons, errp) < 0)
			goto out;
	}
	if (reg_pages_table(d, LEFT, 4, w, head, cls, c.cell, n->n_items, SIZE, errp) < 0)
		goto out;
	reg_pages_skip(d, 3);
	/* 行政复议法 art. 20 (60 days), 行政诉讼法 art. 46 (6 months). */
	if (closingf(d, &n->head, "remedy", errp,
		     "如不服本决定，可以自收到本通知书之日起60日内向%s申请行政复议，或者自收到本通知书"
		     "之日起6个月内向%s提起行政诉讼。",
		     n->review_body ? n->review_body : "有管辖权的行政复议机关",
		     n->court ? n->court : "有管辖权的人民法院") < 0)
		goto out;
	rc = finish(d, docs, count, errp);
	d = NULL;
out:
	reg_pages_free(d);
	cells_free(&c);
	return rc;
}

/* ---- 三单一函 ---------------------------------------------------------------------------------- */

static const struct {
	const char *title, *opening, *request;
} slips[] = {
	[REG_SLIP_REMINDER] = {"提醒单", "下列事项的承诺办理时限即将届满，尚未办结，特此提醒：",
			       "请在承诺时限届满前办结，并将办理结果反馈本机关。"},
	[REG_SLIP_URGING] = {"催办单", "下列事项已超过承诺办理时限，尚未办结，特此催办：",
			     "该事项已超过承诺时限，请立即办理，并于一个工作日内将办理结果或未能办结"
			     "的原因反馈本机关。"},
	[REG_SLIP_SUPERVISION] = {"督办单", "下列事项超过承诺办理时限，经提醒、催办仍未办结，"
				  "特此督办：",
				  "该事项经提醒、催办仍未办结，现予督办。请立即办结，并书面说明逾期"
				  "原因及责任人。"},
	[REG_SLIP_TRANSFER] = {"移交函", "下列事项超过承诺办理时限，经提醒、催办、督办仍未办结，"
			       "现函告如下：",
			       "该事项经提醒、催办、督办仍未办结，现将有关情况移交你单位，请依照有关"
			       "规定督促办理并追究相关责任。"},
};

int reg_notice_slip(const reg_slip_notice *n, const char *name, reg_document **docs,
		    size_t *count, reg_err **errp)
{
	size_t k = n->kind <= REG_SLIP_TRANSFER ? (size_t)n->kind : REG_SLIP_REMINDER;
	struct sheet s = {0};
	int rc = -1;
	reg_pages *d = begin(&n->head, &s, name ? name : "slip",
			     n->title ? n->title : slips[k].title,
			     errp);
	if (!d)
		return -1;
	if (addressee(d, n->addressee, errp) < 0 || body(d, "body", slips[k].opening, errp) < 0 ||
	    field(d, "承办部门", "department", n->department, errp) < 0 ||
	    field(d, "受 理 号", "number", n->number, errp) < 0 ||
	    field(d, "企业名称", "enterprise", n->enterprise, errp) < 0 ||
	    field(d, "办理事项", "item", n->item, errp) < 0 ||
	    field(d, "受理时间", "accepted-at", n->accepted_at, errp) < 0 ||
	    field(d, "承诺时限", "deadline", n->deadline, errp) < 0 ||
	    field(d, "已用时间", "elapsed", n->elapsed, errp) < 0)
		goto out;
	reg_pages_skip(d, 3);
	if (closing(d, &n->head, NULL, "request", n->request ? n->request : slips[k].request,
		    errp) < 0)
		goto out;
	rc = finish(d, docs, count, errp);
	d = NULL;
out:
	reg_pages_free(d);
	return rc;
}

/* ---- 承诺逾期通知书 ---------------------------------------------------------------------------- */

int reg_notice_overdue(const reg_overdue_notice *n, const char *name, reg_document **docs,
		       size_t *count, reg_err **errp)
{
	struct sheet s = {0};
	struct cells c = {0};
	int rc = -1;
	char (*days)[32] = calloc(n->n_items + 1, sizeof *days);
	reg_pages *d = days ? begin(&n->head, &s, name ? name : "overdue", "承诺逾期通知书", errp)
			    : NULL;
	if (!days)
		reg_err_oom(errp);
	if (!d)
		goto out;
	if (addressee(d, n->enterprise, errp) < 0 ||
	    bodyf(d, errp, "body",
		  "你（单位）在办理%s登记时（受理号：%s），书面承诺在下列期限内补交材料。经核查，"
		  "下列材料至今未补交，已超过承诺期限：", or_empty(n->enterprise),
		  or_empty(n->number)) < 0)
		goto out;
	static const double w[] = {12, 78, 40, 30};
	static const char *const head[] = {"序号", "承诺补交的材料", "承诺补交日期", "已逾期"};
	static const char *const cls[] = {NULL, "material", "promised", "days"};
	if (cells_new(&c, n->n_items, 4, errp) < 0)
		goto out;
	for (size_t i = 0; i < n->n_items; i++) {
		snprintf(days[i], sizeof days[i], "%d日", n->items[i].days);
		c.cell[i * 4 + 1] = n->items[i].material;
		c.cell[i * 4 + 2] = n->items[i].promised;
		c.cell[i * 4 + 3] = days[i];
	}
	if (reg_pages_table(d, LEFT, 4, w, head, cls, c.cell, n->n_items, SIZE, errp) < 0)
		goto out;
	reg_pages_skip(d, 3);
	if (closing(d, &n->head, NULL, "consequence",
		    n->consequence ? n->consequence
				   : "请自收到本通知书之日起5个工作日内补交上述材料。逾期仍未补交的，本机关"
				     "将依法撤销相关登记（备案），并将未履行承诺的情况记入企业信用记录。",
		    errp) < 0)
		goto out;
	rc = finish(d, docs, count, errp);
	d = NULL;
out:
	reg_pages_free(d);
	cells_free(&c);
	free(days);
	return rc;
}
