/*
 * notice_samples.h — the notices of the fixture enterprise 乌海市恒泰商贸有限公司 (acceptance
 * 150302-20261123-000001), for tests/unit/test_notice.c and tests/unit/mknotices.c: every kind of
 * notice, in an ordinary version and a long one whose lists and texts run over several sheets.
 * The values are what a registry would resolve (Chinese names, dates as printed).
 */
#ifndef REG_NOTICE_SAMPLES_H
#define REG_NOTICE_SAMPLES_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "longtext.h"
#include "notice.h"

#define SAMPLE_AUTHORITY "乌海市海勃湾区市场监督管理局"
#define SAMPLE_NAME "乌海市恒泰商贸有限公司"
#define SAMPLE_NUMBER "150302-20261123-000001"

/* Every catalog item (schemas/catalog.xml), as the acceptance receipt lists them. */
static const reg_notice_item sample_items[] = {
	{"1", "营业执照", "市场监督管理局", "2026年11月23日 13:30"},
	{"2", "组织机构代码证", "市场监督管理局", "2026年11月23日 13:30"},
	{"3", "税务登记证", "税务局", "2026年11月23日 13:30"},
	{"4", "社会保险登记证", "人社局", "2026年11月23日 13:30"},
	{"5", "统计登记证", "统计局", "2026年11月23日 13:30"},
	{"6", "印章备案", "公安局", "2026年11月23日 13:30"},
	{"7", "保安服务公司分公司备案", "公安局", "2026年11月27日 17:00"},
	{"8", "对外贸易经营者备案登记", "商务局", "2026年11月27日 17:00"},
	{"9", "国际货运代理企业备案", "商务局", "2026年11月27日 17:00"},
	{"10", "再生资源回收经营者备案", "商务局", "2026年11月27日 17:00"},
	{"11", "单用途商业预付卡发卡企业备案", "商务局", "2026年11月27日 17:00"},
	{"12", "第二类医疗器械经营备案", "食药局", "2026年11月27日 17:00"},
	{"13", "第一类医疗器械生产备案", "食药局", "2026年11月27日 17:00"},
	{"14", "原产地证明企业备案", "出入境检验检疫局", "2026年11月27日 17:00"},
	{"15", "出入境检验检疫报检企业备案", "出入境检验检疫局", "2026年11月27日 17:00"},
	{"16", "报关单位注册登记", "海关", "2026年11月27日 17:00"},
	{"17", "房地产经纪机构备案", "住建局", "2026年11月27日 17:00"},
	{"18", "工程造价咨询企业分支机构备案", "住建局", "2026年11月27日 17:00"},
	{"19", "旅行社分社设立备案", "旅游局", "2026年11月27日 17:00"},
	{"20", "旅行社服务网点设立备案", "旅游局", "2026年11月27日 17:00"},
};

static const reg_notice_commitment sample_owed[] = {
	{"经营场所使用证明", "2026年12月20日"},
	{"法定代表人任职文件", "2026年12月23日"},
};

static const char *const sample_reasons[] = {
	"回收场地证明未载明场地面积",
	"场地租赁合同的租赁期限不足一年",
};
static const char *const sample_bring[] = {
	"载明面积的回收场地证明原件",
	"租赁期限一年以上的场地租赁合同",
};
static const char *const sample_name_reasons[] = {
	"名称中的行政区划“海勃湾区”须冠以所属设区的市的名称，应为“乌海市海勃湾区”",
};
static const char *const sample_id_reasons[] = {
	"身份证号码150302198503150019的校验位不正确",
};
static const char *const sample_reject_reasons[] = {
	"经营范围不含对外贸易经营，不适用对外贸易经营者备案登记",
};

/* The notices, ordinary or long; what they point to lives in `keep` until sample_free. */
struct samples {
	reg_acceptance_notice acceptance;
	reg_onetime_notice supplement, refusal;
	reg_rejection_notice rejection;
	reg_slip_notice slips[4];
	reg_overdue_notice overdue;
	/* storage of the long versions */
	reg_notice_problem problems[40];
	reg_notice_rejected rejected[20];
	reg_notice_problem refused[40];
	reg_notice_owed owed[60];
	reg_notice_commitment commitments[60];
	char *long_reason;
	const char *long_reasons[1];
};

static void sample_fill(struct samples *s, const reg_seal_type *stamp, bool test_authority,
			bool longer)
{
	memset(s, 0, sizeof *s);
	reg_notice_head head = {
		.authority = SAMPLE_AUTHORITY,
		.stamp = stamp,
		.test_authority = test_authority,
		.date = "2026年11月23日",
		.contact = "咨询电话：0473-3921234（乌海市海勃湾区政务服务中心一号窗口）",
	};
	s->long_reason = long_text("申请材料与登记事项不符，须重新提交载明经营场所面积、用途和使用期限的"
				       "证明文件；", longer ? 1000 : 40);
	s->long_reasons[0] = s->long_reason;

	head.reference = "海市监受字〔2026〕第000001号";
	size_t n_items = longer ? 20 : 6, n_owed = longer ? 60 : 2;
	for (size_t i = 0; i < n_owed; i++)
		s->commitments[i] = sample_owed[i % 2];
	s->acceptance = (reg_acceptance_notice){
		.head = head, .number = SAMPLE_NUMBER, .enterprise = SAMPLE_NAME, .form = "llc",
		.legal_rep = "张伟", .accepted_at = "2026年11月23日 09:00", .window = "一号窗口",
		.clerk = "王芳", .items = sample_items, .n_items = n_items,
		.commitments = s->commitments, .n_commitments = n_owed,
	};

	head.reference = "海市监补字〔2026〕第000001号";
	head.date = "2026年11月24日";
	size_t n_problems = longer ? 40 : 1;
	for (size_t i = 0; i < n_problems; i++)
		s->problems[i] = (reg_notice_problem){
			"商务局", "再生资源回收经营者备案",
			longer && i == 0 ? s->long_reasons : sample_reasons,
			longer && i == 0 ? 1 : 2, sample_bring, 2};
	s->supplement = (reg_onetime_notice){
		.head = head, .kind = REG_ONETIME_SUPPLEMENT, .number = SAMPLE_NUMBER,
		.enterprise = SAMPLE_NAME, .problems = s->problems, .n_problems = n_problems,
		.where = "乌海市海勃湾区政务服务中心一号窗口", .due = "2026年12月3日",
	};
	static const reg_notice_problem refusal[] = {
		{NULL, "企业名称", sample_name_reasons, 1, NULL, 0},
		{NULL, "法定代表人身份证号码", sample_id_reasons, 1, NULL, 0},
	};
	head.reference = "海市监不受字〔2026〕第000007号";
	head.date = "2026年11月23日";
	size_t n_refusal = longer ? 40 : 2;
	for (size_t i = 0; i < n_refusal; i++)
		s->refused[i] = refusal[i % 2];
	s->refusal = (reg_onetime_notice){
		.head = head, .kind = REG_ONETIME_REFUSAL, .enterprise = "海勃湾区恒泰商贸有限公司",
		.problems = s->refused, .n_problems = n_refusal,
	};

	head.reference = "海市监不登字〔2026〕第000003号";
	size_t n_rejected = longer ? 20 : 1;
	for (size_t i = 0; i < n_rejected; i++)
		s->rejected[i] = (reg_notice_rejected){
			sample_items[i].name, sample_items[i].department,
			longer && i == 1 ? s->long_reasons : sample_reject_reasons, 1};
	s->rejection = (reg_rejection_notice){
		.head = head, .number = SAMPLE_NUMBER, .enterprise = SAMPLE_NAME,
		.items = s->rejected, .n_items = n_rejected,
		.review_body = "乌海市海勃湾区人民政府", .court = "乌海市海勃湾区人民法院",
	};

	static const char *const refs[] = {"海市监提字〔2026〕第000011号", "海市监催字〔2026〕第000004号",
					   "海市监督字〔2026〕第000002号", "海市监移字〔2026〕第000001号"};
	static const char *const used[] = {"已用2.6工作小时（承诺时限的75%）",
					   "已用3.5工作小时（承诺时限的100%）",
					   "已用5.3工作小时（承诺时限的150%）",
					   "已用7工作小时（承诺时限的200%）"};
	for (size_t k = 0; k < 4; k++) {
		head.reference = refs[k];
		s->slips[k] = (reg_slip_notice){
			.head = head, .kind = (reg_slip_kind)k,
			.addressee = k == REG_SLIP_TRANSFER ? "乌海市海勃湾区人民政府督查室" : "乌海市海勃湾区税务局",
			.department = "乌海市海勃湾区税务局", .number = SAMPLE_NUMBER,
			.enterprise = SAMPLE_NAME, .item = "税务登记证",
			.accepted_at = "2026年11月23日 09:00", .deadline = "2026年11月23日 13:30",
			.elapsed = used[k], .request = longer ? s->long_reason : NULL,
		};
	}

	head.reference = "海市监逾字〔2026〕第000002号";
	head.date = "2026年12月28日";
	size_t n_late = longer ? 60 : 2;
	for (size_t i = 0; i < n_late; i++)
		s->owed[i] = (reg_notice_owed){sample_owed[i % 2].material, sample_owed[i % 2].due,
					       i % 2 ? 5 : 8};
	s->overdue = (reg_overdue_notice){
		.head = head, .number = SAMPLE_NUMBER, .enterprise = SAMPLE_NAME,
		.items = s->owed, .n_items = n_late,
	};
}

static void sample_free(struct samples *s)
{
	free(s->long_reason);
}

/* One notice of the samples by its file name; the documents in *docs. */
struct sample_kind {
	const char *name;
	int (*make)(const struct samples *s, const char *name, reg_document **docs, size_t *n,
		    reg_err **errp);
};

static int make_acceptance(const struct samples *s, const char *name, reg_document **docs,
			   size_t *n, reg_err **errp)
{
	return reg_notice_acceptance(&s->acceptance, name, docs, n, errp);
}

static int make_supplement(const struct samples *s, const char *name, reg_document **docs,
			   size_t *n, reg_err **errp)
{
	return reg_notice_onetime(&s->supplement, name, docs, n, errp);
}

static int make_refusal(const struct samples *s, const char *name, reg_document **docs,
			size_t *n, reg_err **errp)
{
	return reg_notice_onetime(&s->refusal, name, docs, n, errp);
}

static int make_rejection(const struct samples *s, const char *name, reg_document **docs,
			  size_t *n, reg_err **errp)
{
	return reg_notice_rejection(&s->rejection, name, docs, n, errp);
}

#define MAKE_SLIP(k, fn)                                                                    \
	static int fn(const struct samples *s, const char *name, reg_document **docs,      \
		      size_t *n, reg_err **errp)                                             \
	{                                                                                   \
		return reg_notice_slip(&s->slips[k], name, docs, n, errp);                  \
	}
MAKE_SLIP(REG_SLIP_REMINDER, make_reminder)
MAKE_SLIP(REG_SLIP_URGING, make_urging)
MAKE_SLIP(REG_SLIP_SUPERVISION, make_supervision)
MAKE_SLIP(REG_SLIP_TRANSFER, make_transfer)

static int make_overdue(const struct samples *s, const char *name, reg_document **docs,
			size_t *n, reg_err **errp)
{
	return reg_notice_overdue(&s->overdue, name, docs, n, errp);
}

static const struct sample_kind sample_kinds[] = {
	{"acceptance", make_acceptance},
	{"onetime-supplement", make_supplement},
	{"onetime-refusal", make_refusal},
	{"rejection", make_rejection},
	{"slip-reminder", make_reminder},
	{"slip-urging", make_urging},
	{"slip-supervision", make_supervision},
	{"slip-transfer", make_transfer},
	{"overdue", make_overdue},
};

#endif
