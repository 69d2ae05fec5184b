#include "programme/schema.h"

#include <array>
#include <cstdint>

namespace fulei::programme {
namespace {

// ---- enumerations ----------------------------------------------------------------------------

constexpr EnumValue kGender[] = {{"male", "男", "male"}, {"female", "女", "female"}};

constexpr EnumValue kCategory[] = {
    {"orphan", "孤儿", "orphan"},
    {"abandoned", "弃婴", "abandoned infant"},
    {"de_facto_unsupported", "事实无人抚养儿童", "de facto unsupported child"},
    {"left_behind", "农村留守儿童", "rural left-behind child"},
    {"in_difficulty", "困境儿童", "child in difficulty"},
};

constexpr EnumValue kHousehold[] = {{"rural", "农业户口", "rural"},
                                    {"urban", "非农业户口", "urban"}};

constexpr EnumValue kParentStatus[] = {
    {"present", "在家", "at home"},
    {"working_away", "外出务工", "working away"},
    {"deceased", "死亡", "deceased"},
    {"declared_missing", "宣告失踪", "declared missing"},
    {"severe_disability", "重残", "severe disability"},
    {"serious_illness", "重病", "serious illness"},
    {"imprisoned", "服刑在押", "imprisoned or detained"},
    {"compulsory_rehab", "强制隔离戒毒", "compulsory drug rehabilitation"},
    {"other_restriction", "被执行其他限制人身自由的措施", "other restriction of liberty"},
    {"lost_contact", "失联", "lost contact"},
    {"guardianship_revoked", "被撤销监护资格", "guardianship revoked"},
    {"deported", "被遣送（驱逐）出境", "deported"},
    {"no_capacity", "无监护能力", "without guardianship capacity"},
    {"unknown", "不详", "unknown"},
};

constexpr EnumValue kLivingSupport[] = {
    {"basic_living_allowance", "基本生活费", "basic living allowance"},
    {"subsistence_allowance", "最低生活保障", "subsistence allowance (dibao)"},
    {"extreme_poverty_support", "特困人员供养", "extreme-poverty support"},
    {"medical_assistance", "医疗救助", "medical assistance"},
    {"education_aid", "教育资助", "education aid"},
    {"disability_allowance", "残疾人两项补贴", "disability allowances"},
    {"none", "无", "none"},
};

constexpr EnumValue kGuardianship[] = {
    {"adequate", "监护良好", "adequate"},
    {"inadequate", "监护不当", "inadequate"},
    {"absent", "监护缺失", "absent"},
};

constexpr EnumValue kSchoolLevel[] = {
    {"preschool", "学龄前", "preschool"},
    {"kindergarten", "幼儿园", "kindergarten"},
    {"primary", "小学", "primary school"},
    {"junior_high", "初中", "junior high school"},
    {"senior_high", "高中", "senior high school"},
    {"vocational", "中职", "secondary vocational school"},
    {"college", "大专及以上", "college or above"},
    {"special", "特殊教育学校", "special education school"},
    {"dropped_out", "辍学", "dropped out"},
    {"not_in_school", "未在校", "not in school"},
};

// The highest schooling a child has completed (毕业), whatever the child does now: a 15-year-old
// who finished 初中 and left school reads junior_high here and not_in_school in school_level.
constexpr EnumValue kSchoolingCompleted[] = {
    {"none", "未完成小学", "primary not completed"},
    {"primary", "小学", "primary school"},
    {"junior_high", "初中", "junior high school"},
    {"senior_high", "高中", "senior high school"},
    {"vocational", "中职", "secondary vocational school"},
    {"college", "大专及以上", "college or above"},
};

constexpr EnumValue kHealth[] = {
    {"healthy", "健康", "healthy"},
    {"ill", "患病", "ill"},
    {"serious_illness", "重病", "serious illness"},
    {"disabled", "残疾", "disabled"},
    // Added for the national export (GB/T 2261.3 and the national system: docs/export.md).
    {"fair", "一般", "fair"},
    {"chronic", "慢性病", "chronic illness"},
    {"other", "其他", "other"},
};

// ---- code lists of the national-system export (docs/export.md, ../shared/data/national-fields.md)

// 民族 per GB 3304-91: the code is the standard's two-digit code. 穿青人 has no code of its own in
// GB 3304-91 (it is recorded under 97, 其他未识别民族).
constexpr EnumValue kEthnicGroup[] = {
    {"01", "汉族", "Han"},
    {"02", "蒙古族", "Mongol"},
    {"03", "回族", "Hui"},
    {"04", "藏族", "Tibetan"},
    {"05", "维吾尔族", "Uyghur"},
    {"06", "苗族", "Miao"},
    {"07", "彝族", "Yi"},
    {"08", "壮族", "Zhuang"},
    {"09", "布依族", "Buyei"},
    {"10", "朝鲜族", "Korean"},
    {"11", "满族", "Manchu"},
    {"12", "侗族", "Dong"},
    {"13", "瑶族", "Yao"},
    {"14", "白族", "Bai"},
    {"15", "土家族", "Tujia"},
    {"16", "哈尼族", "Hani"},
    {"17", "哈萨克族", "Kazakh"},
    {"18", "傣族", "Dai"},
    {"19", "黎族", "Li"},
    {"20", "傈僳族", "Lisu"},
    {"21", "佤族", "Va"},
    {"22", "畲族", "She"},
    {"23", "高山族", "Gaoshan"},
    {"24", "拉祜族", "Lahu"},
    {"25", "水族", "Sui"},
    {"26", "东乡族", "Dongxiang"},
    {"27", "纳西族", "Naxi"},
    {"28", "景颇族", "Jingpo"},
    {"29", "柯尔克孜族", "Kyrgyz"},
    {"30", "土族", "Tu"},
    {"31", "达斡尔族", "Daur"},
    {"32", "仫佬族", "Mulao"},
    {"33", "羌族", "Qiang"},
    {"34", "布朗族", "Blang"},
    {"35", "撒拉族", "Salar"},
    {"36", "毛南族", "Maonan"},
    {"37", "仡佬族", "Gelao"},
    {"38", "锡伯族", "Xibe"},
    {"39", "阿昌族", "Achang"},
    {"40", "普米族", "Pumi"},
    {"41", "塔吉克族", "Tajik"},
    {"42", "怒族", "Nu"},
    {"43", "乌孜别克族", "Uzbek"},
    {"44", "俄罗斯族", "Russian"},
    {"45", "鄂温克族", "Evenki"},
    {"46", "德昂族", "De'ang"},
    {"47", "保安族", "Bonan"},
    {"48", "裕固族", "Yugur"},
    {"49", "京族", "Gin"},
    {"50", "塔塔尔族", "Tatar"},
    {"51", "独龙族", "Derung"},
    {"52", "鄂伦春族", "Oroqen"},
    {"53", "赫哲族", "Hezhen"},
    {"54", "门巴族", "Monba"},
    {"55", "珞巴族", "Lhoba"},
    {"56", "基诺族", "Jino"},
    {"97", "其他未识别民族", "other unrecognised"},
    {"98", "外国血统中国籍人士", "Chinese citizen of foreign origin"},
};

// 户口分类 of the national system (codes 1-4 in docs/export.md).
constexpr EnumValue kHukouClass[] = {
    {"welfare_collective", "福利院集体户", "welfare-home collective household"},
    {"local", "本辖区", "this jurisdiction"},
    {"other_province", "外省市", "another province or city"},
    {"none", "无户口", "no household registration"},
};

// 残疾类别 per GB/T 2261.3 (61-67, 69) and GB/T 26341-2010.
constexpr EnumValue kDisabilityType[] = {
    {"visual", "视力残疾", "visual"},
    {"hearing", "听力残疾", "hearing"},
    {"speech", "言语残疾", "speech"},
    {"physical", "肢体残疾", "physical"},
    {"intellectual", "智力残疾", "intellectual"},
    {"mental", "精神残疾", "mental"},
    {"multiple", "多重残疾", "multiple"},
    {"other", "其他残疾", "other"},
};

// 监护类型 of the 2016 登记表.
constexpr EnumValue kGuardianshipType[] = {
    {"unguarded", "无人监护", "no guardian"},
    {"parent_incapable", "父或母无监护能力", "a parent without guardianship capacity"},
    {"entrusted_insufficient", "受委托监护人监护能力不足", "entrusted guardian insufficient"},
    {"fair", "监护情况一般", "guardianship fair"},
    {"good", "监护情况较好", "guardianship good"},
};

// 家庭经济来源 of the 2016 登记表 (multi-select).
constexpr EnumValue kIncomeSource[] = {
    {"wages", "打工收入", "wages from work away"},
    {"farming", "种养殖业", "farming or animal husbandry"},
    {"government_aid", "政府救助", "government aid"},
    {"relatives", "亲朋接济", "help from relatives and friends"},
    {"other", "其他", "other"},
};

// 救助帮扶情况 of the 2016 登记表 (multi-select).
constexpr EnumValue kAidReceived[] = {
    {"dibao", "享受低保", "subsistence allowance (dibao)"},
    {"temporary", "临时救助", "temporary assistance"},
    {"medical", "医疗救助", "medical assistance"},
    {"housing", "住房救助", "housing assistance"},
    {"other", "其他救助", "other assistance"},
};

// 退出原因 (减员原因) of the national system.
constexpr EnumValue kExitReason[] = {
    {"adopted_in_province", "省内收养", "adopted within the province"},
    {"adopted_other_province", "跨省收养", "adopted in another province"},
    {"adopted_abroad", "涉外送养", "adopted abroad"},
    {"parents_found", "找回生父母", "birth parents found"},
    {"independent", "独立生活", "living independently"},
    {"deceased", "死亡", "deceased"},
    {"hukou_moved_out", "户籍迁出", "household registration moved out"},
    {"entry_error", "录入错误", "entered in error"},
    {"over_age", "超龄", "over age"},
    {"other", "其它", "other"},
};

constexpr EnumValue kDifficulty[] = {
    {"poverty", "家庭贫困", "family poverty"},
    {"disability", "自身残疾", "own disability"},
    {"serious_illness", "自身重病", "own serious illness"},
    {"guardianship_failure", "监护缺失或监护不当", "guardianship absent or inadequate"},
};

constexpr EnumValue kYesNo[] = {
    {"yes", "有意愿", "yes"}, {"no", "无意愿", "no"}, {"undecided", "未定", "undecided"}};

constexpr EnumValue kProgrammeStatus[] = {
    {"active", "在册", "active"},
    {"aged_out", "已满18周岁", "aged out"},
    {"in_school_extension", "满18周岁在校延续保障", "aged 18+, support continues while in school"},
    {"transferred", "已迁出", "transferred out"},
    {"closed", "已结案", "closed"},
};

constexpr EnumValue kRelation[] = {
    {"father", "父亲", "father"},
    {"mother", "母亲", "mother"},
    {"grandparent", "祖父母/外祖父母", "grandparent"},
    {"sibling", "兄姐", "elder sibling"},
    {"other_relative", "其他亲属", "other relative"},
    {"entrusted", "受委托监护人", "entrusted guardian"},
    {"institution", "机构", "institution"},
    {"other", "其他", "other"},
};

constexpr EnumValue kCapacity[] = {{"full", "有监护能力", "capable"},
                                   {"limited", "监护能力不足", "limited"},
                                   {"none", "无监护能力", "none"}};

constexpr EnumValue kHelperKind[] = {
    {"cadre", "党政干部", "party or government cadre"},
    {"teacher", "教师", "teacher"},
    {"entrepreneur", "企业家", "entrepreneur"},
    {"volunteer", "社会爱心人士", "volunteer"},
    {"social_worker", "社工", "social worker"},
    {"counsellor", "心理健康辅导师", "counsellor"},
    {"director", "儿童主任", "children's director"},
    {"supervisor", "儿童督导员", "children's supervisor"},
};

constexpr EnumValue kPairingKind[] = {{"assistance", "结对帮扶", "assistance"},
                                      {"family_care", "亲情关爱", "family care"}};

constexpr EnumValue kTrainingKind[] = {
    {"job_skill", "就业技能培训", "job-skill training for parents"},
    {"industry_support", "产业扶持", "industry support for parents"},
    {"workforce", "队伍业务培训", "workforce training"},
};

constexpr EnumValue kAudience[] = {
    {"parent", "儿童家长", "parents"},
    {"supervisor", "儿童督导员", "children's supervisors"},
    {"director", "儿童主任", "children's directors"},
    {"volunteer", "志愿者", "volunteers"},
    {"social_worker", "社工", "social workers"},
};

constexpr EnumValue kContactKind[] = {
    {"talk", "谈心交流", "talk"},
    {"home_visit", "入户看望", "home visit"},
    {"video_call", "亲情视频", "family video call"},
};

constexpr EnumValue kActivityKind[] = {
    {"summer_camp", "夏令营", "summer camp"},
    {"winter_camp", "冬令营", "winter camp"},
    {"weekend_class", "周末兴趣班", "weekend interest class"},
    {"children_school", "儿童学校", "children's school session"},
    {"family_education", "家庭教育", "family education"},
    {"training", "儿童培训", "training for children"},
};

constexpr EnumValue kTopic[] = {
    {"safety", "安全常识", "safety"},
    {"patriotic", "爱国主义教育", "patriotic education"},
    {"culture", "传统文化", "traditional culture"},
    {"health", "身心健康", "physical and mental health"},
    {"family_bonding", "亲情培育", "family bonding"},
    {"homework", "课外作业辅导", "homework help"},
    {"guardianship_law", "监护法制宣传", "guardianship law"},
    {"grandparent_parenting", "隔代教育", "grandparent parenting"},
    {"other", "其他", "other"},
};

constexpr EnumValue kCounsellingKind[] = {{"consultation", "心理咨询", "consultation"},
                                          {"guidance", "心理辅导", "guidance"},
                                          {"correction", "心理矫正", "correction"}};

// ---- records the plan names that were missing (issue 15) --------------------------------------

// Who a contact was with: the paired helper (the default), or an absent parent in a 亲情视频 call
// the helper arranged (the helper field still names who arranged it).
constexpr EnumValue kCounterpart[] = {
    {"helper", "帮扶人", "the paired helper"},
    {"parent", "外出父母", "an absent parent"},
    {"guardian", "监护人", "the guardian"},
};

constexpr EnumValue kParentRelation[] = {{"father", "父亲", "father"},
                                         {"mother", "母亲", "mother"}};

constexpr EnumValue kReferralStatus[] = {
    {"open", "待反馈", "awaiting response"},
    {"following", "跟进中", "being followed up"},
    {"closed", "已办结", "closed"},
};

constexpr EnumValue kFacilityKind[] = {
    {"children_home", "儿童之家", "village children's home"},
    {"care_room", "关爱服务室", "care service room"},
    {"welfare_home", "区域性儿童福利院", "regional child welfare home"},
};

constexpr EnumValue kPostRole[] = {
    {"director", "儿童主任", "children's director"},
    {"supervisor", "儿童督导员", "children's supervisor"},
};

// The programme's ten works (PROGRAMME.md), for funds.
constexpr EnumValue kWork[] = {
    {"care_network", "关爱网络建设工程", "care network"},
    {"holiday_care", "假期关爱工程", "holiday care"},
    {"pairing", "结对帮扶工程", "pairing assistance"},
    {"family_care", "亲情关爱工程", "family care"},
    {"mental_health", "心理健康工程", "mental health"},
    {"children_school", "儿童学校工程", "children's school"},
    {"study_aid", "福彩助学工程", "lottery-funded study aid"},
    {"legal_aid", "司法援助工程", "legal aid"},
    {"smart_care", "智慧关爱工程", "smart care"},
    {"workforce", "队伍培育工程", "workforce"},
};

constexpr EnumValue kFundKind[] = {{"allocation", "拨付", "allocation"},
                                   {"spending", "支出", "spending"}};

constexpr EnumValue kConsultTopic[] = {
    {"guardianship", "监护", "guardianship"},        {"support", "抚养/赡养", "maintenance"},
    {"schooling", "受教育权", "right to education"}, {"harm", "侵害", "harm"},
    {"household", "户籍", "household registration"}, {"other", "其他", "other"},
};

// The situations of the mandatory-reporting rules (最高人民检察院等《关于建立侵害未成年人案件强制
// 报告制度的意见（试行）》, 2020, art. 4), grouped. Codes of the first version are kept.
constexpr EnumValue kHarm[] = {
    {"sexual_harm", "性侵害", "sexual harm"},
    {"abuse", "虐待", "abuse"},
    {"abandonment", "遗弃", "abandonment"},
    {"violence", "暴力伤害", "violent injury (incl. domestic violence)"},
    {"bullying", "欺凌", "bullying"},
    {"neglect", "监护缺失/监护不力", "guardianship absent or inadequate (neglect)"},
    {"self_harm_risk", "自伤自杀风险", "risk of self-harm or suicide"},
    {"trafficking_missing", "失踪/被拐卖", "missing, trafficked or of unknown origin"},
    {"forced_begging", "被组织乞讨", "made to beg"},
    {"accidental_injury", "意外伤害", "injury from another abnormal cause"},
    {"unlawful_harm", "不法侵害", "other unlawful harm or imminent danger"},
    {"other", "其他", "other"},
};

// Who files the report: the mandated reporters of the rules (art. 3) and others.
constexpr EnumValue kReporterRole[] = {
    {"teacher", "教师", "teacher"},
    {"doctor", "医务人员", "medical staff"},
    {"director", "儿童主任", "children's director"},
    {"supervisor", "儿童督导员", "children's supervisor"},
    {"village_committee", "村（居）民委员会工作人员", "village or residents' committee staff"},
    {"social_worker", "社会工作者", "social worker"},
    {"welfare_institution", "儿童福利/救助机构工作人员", "child welfare or relief institution"},
    {"hotel", "旅馆住宿经营者", "hotel or lodging staff"},
    {"police", "公安", "police"},
    {"neighbour", "邻里", "neighbour"},
    {"relative", "亲属", "relative"},
    {"child", "儿童本人", "the child"},
    {"other", "其他", "other"},
};

constexpr EnumValue kPoliceInformed[] = {{"yes", "已向公安机关报案", "reported to the police"},
                                         {"no", "尚未报案", "not reported to the police"}};

constexpr EnumValue kEmergencyAction[] = {
    {"on_site_check", "现场核查", "checked on site"},
    {"medical_care", "就医救治", "medical care"},
    {"safe_placement", "临时安置", "placed in safety"},
    {"guardian_contacted", "联系监护人", "guardian contacted"},
    {"police_assist", "配合公安处置", "assisted the police"},
    {"psychological_support", "心理疏导", "psychological support"},
    {"school_contacted", "联系学校", "school contacted"},
    {"other", "其他", "other"},
};

constexpr EnumValue kGuardianshipAction[] = {
    {"assessment", "入户评估", "home assessment"},
    {"family_education_guidance", "家庭教育指导", "family education guidance"},
    {"admonition", "督促监护/训诫", "guardian admonished"},
    {"temporary_guardianship", "临时监护", "temporary guardianship"},
    {"entrusted_care", "委托照护", "entrusted care"},
    {"long_term_guardianship", "长期监护", "long-term guardianship"},
    {"protection_order", "人身安全保护令", "personal safety protection order"},
    {"revocation_suit", "撤销监护资格诉讼", "suit to revoke guardianship"},
    {"other", "其他", "other"},
};

constexpr EnumValue kRequester[] = {
    {"child", "儿童本人", "the child"}, {"guardian", "监护人", "guardian"},
    {"relative", "亲属", "relative"},   {"neighbour", "邻里", "neighbour"},
    {"teacher", "教师", "teacher"},     {"other", "其他", "other"},
};

constexpr EnumValue kNeed[] = {
    {"safety", "人身安全", "personal safety"},
    {"injury", "受伤就医", "injured, needs care"},
    {"food_shelter", "食宿无着", "no food or shelter"},
    {"lost", "走失迷路", "lost"},
    {"bullying", "欺凌", "bullying"},
    {"family_conflict", "家庭矛盾", "family conflict"},
    {"psychological", "心理困扰", "psychological distress"},
    {"study", "学习困难", "study difficulties"},
    {"other", "其他", "other"},
};

constexpr EnumValue kCaseStatus[] = {
    {"open", "待接收", "open"},
    {"acknowledged", "已接收", "acknowledged"},
    {"handling", "处置中", "being handled"},
    {"closed", "已办结", "closed"},
};

constexpr EnumValue kChannel[] = {
    {"hotline", "服务专线", "hotline"},
    {"app", "手机APP", "phone app"},
    {"watch", "定位手表", "locator watch"},
    {"in_person", "当面求助", "in person"},
    {"other", "其他", "other"},
};

constexpr EnumValue kInterventionKind[] = {
    {"emergency_handling", "应急处置", "emergency handling"},
    {"guardianship_intervention", "监护干预", "guardianship intervention"},
    {"temporary_care", "临时监护", "temporary care"},
    {"revocation_suit", "撤销监护资格诉讼", "suit to revoke guardianship"},
};

constexpr EnumValue kReferralTo[] = {
    {"police", "公安机关", "police"},
    {"procuratorate", "检察院", "procuratorate"},
    {"court", "法院", "court"},
    {"youth_league", "共青团", "youth league"},
    {"legal_aid", "法律援助机构", "legal aid"},
    {"women_federation", "妇联", "women's federation"},
    {"medical", "医疗机构", "medical"},
    {"other", "其他", "other"},
};

constexpr EnumValue kOrgKind[] = {
    {"social_org", "社会组织", "social organisation"},
    {"social_work_agency", "社工机构", "social-work agency"},
    {"volunteer_team", "志愿者队伍", "volunteer team"},
    {"charity", "慈善组织", "charity"},
};

constexpr EnumValue kLevel[] = {
    {"city", "市", "city"}, {"town", "镇（街道）", "town"}, {"village", "村（社区）", "village"}};

constexpr EnumValue kService[] = {
    {"holiday_care", "假期关爱", "holiday care"},
    {"pairing", "结对帮扶", "pairing"},
    {"family_care", "亲情关爱", "family care"},
    {"mental_health", "心理健康", "mental health"},
    {"children_school", "儿童学校", "children's school"},
    {"legal_aid", "司法援助", "legal aid"},
    {"training", "队伍业务培训", "workforce training"},
};

// The role of a user account: the codes of redact.h's Role (RoleCode) and their labels.
constexpr EnumValue kUserRole[] = {
    {"director", "儿童主任", "village children's director"},
    {"supervisor", "儿童督导员", "town children's supervisor"},
    {"town_office", "镇（街道）社会事务办", "town office"},
    {"city_bureau", "市民政局", "city civil affairs bureau"},
    {"counsellor", "心理健康辅导师", "counsellor"},
    {"caring_parent", "爱心家长", "caring parent"},
    {"auditor", "审计人员", "auditor (read-only)"},
};

// ---- field builders ---------------------------------------------------------------------------

constexpr FieldSpec Base(std::string_view name, ValueType type, std::string_view zh,
                         std::string_view en) {
  FieldSpec f;
  f.name = name;
  f.type = type;
  f.zh = zh;
  f.en = en;
  return f;
}
constexpr FieldSpec Text(std::string_view n, std::string_view zh, std::string_view en,
                         int64_t max = 200) {
  FieldSpec f = Base(n, ValueType::kText, zh, en);
  f.max = max;
  return f;
}
constexpr FieldSpec Long(std::string_view n, std::string_view zh, std::string_view en) {
  FieldSpec f = Base(n, ValueType::kLongText, zh, en);
  f.max = 8000;
  return f;
}
constexpr FieldSpec DateF(std::string_view n, std::string_view zh, std::string_view en) {
  return Base(n, ValueType::kDate, zh, en);
}
constexpr FieldSpec TimeF(std::string_view n, std::string_view zh, std::string_view en) {
  return Base(n, ValueType::kTime, zh, en);
}
constexpr FieldSpec EnumF(std::string_view n, std::string_view zh, std::string_view en,
                          std::span<const EnumValue> values) {
  FieldSpec f = Base(n, ValueType::kEnum, zh, en);
  f.enum_values = values;
  return f;
}
constexpr FieldSpec IntF(std::string_view n, std::string_view zh, std::string_view en, int64_t min,
                         int64_t max) {
  FieldSpec f = Base(n, ValueType::kInt, zh, en);
  f.min = min;
  f.max = max;
  return f;
}
constexpr FieldSpec Money(std::string_view n, std::string_view zh, std::string_view en) {
  return Base(n, ValueType::kMoney, zh, en);
}
constexpr FieldSpec Bool(std::string_view n, std::string_view zh, std::string_view en) {
  return Base(n, ValueType::kBool, zh, en);
}
constexpr FieldSpec Ref(std::string_view n, std::string_view zh, std::string_view en) {
  return Base(n, ValueType::kRef, zh, en);
}
constexpr FieldSpec IdNo(std::string_view n, std::string_view zh, std::string_view en) {
  FieldSpec f = Base(n, ValueType::kIdNumber, zh, en);
  f.sensitivity = Sensitivity::kSensitive;
  return f;
}
constexpr FieldSpec Phone(std::string_view n, std::string_view zh, std::string_view en) {
  FieldSpec f = Base(n, ValueType::kPhone, zh, en);
  f.sensitivity = Sensitivity::kSensitive;
  return f;
}
constexpr FieldSpec Unit(std::string_view n, std::string_view zh, std::string_view en) {
  return Base(n, ValueType::kUnitPath, zh, en);
}
constexpr FieldSpec StepLog(std::string_view n, std::string_view zh, std::string_view en,
                            std::span<const EnumValue> actions) {
  FieldSpec f = Base(n, ValueType::kStep, zh, en);
  f.shape = FieldShape::kLog;
  f.sensitivity = Sensitivity::kRestricted;
  f.enum_values = actions;
  f.not_future = true;
  return f;
}
constexpr FieldSpec AckLog() {
  FieldSpec f = Base("acks", ValueType::kAck, "接收确认", "acknowledgements (time, user, unit)");
  f.shape = FieldShape::kLog;
  f.not_future = true;
  return f;
}
// The reporter's identity: restricted, and only for the roles of redact.h.
constexpr FieldSpec Who(FieldSpec f) {
  f.sensitivity = Sensitivity::kRestricted;
  f.identity = true;
  return f;
}

// Never shown to anyone, never exported (a password hash): redact.h.
constexpr FieldSpec Secret(FieldSpec f) {
  f.sensitivity = Sensitivity::kRestricted;
  f.secret = true;
  return f;
}

constexpr FieldSpec Req(FieldSpec f) {
  f.required = true;
  return f;
}
constexpr FieldSpec Sens(FieldSpec f) {
  f.sensitivity = Sensitivity::kSensitive;
  return f;
}
constexpr FieldSpec Restr(FieldSpec f) {
  f.sensitivity = Sensitivity::kRestricted;
  return f;
}
constexpr FieldSpec Past(FieldSpec f) {
  f.not_future = true;
  return f;
}
constexpr FieldSpec AsSet(FieldSpec f) {
  f.shape = FieldShape::kSet;
  return f;
}
constexpr FieldSpec AsLog(FieldSpec f) {
  f.shape = FieldShape::kLog;
  return f;
}

// ---- record types -----------------------------------------------------------------------------

constexpr FieldSpec kChildFields[] = {
    Req(Sens(Text("name", "姓名", "name", 64))),
    Req(EnumF("gender", "性别", "gender", kGender)),
    Req(Past(DateF("birth_date", "出生日期", "birth date"))),
    IdNo("id_number", "身份证号", "ID number"),
    Text("ethnicity", "民族", "ethnicity", 32),
    Req(EnumF("category", "儿童类别", "category", kCategory)),
    Sens(Long("category_evidence", "认定依据", "category evidence")),
    DateF("category_review_on", "复核日期", "category re-review date"),
    EnumF("household", "户籍类型", "household registration", kHousehold),
    Sens(Text("hukou_address", "户籍地址", "registered address")),
    Sens(Text("address", "现住址", "current address")),
    Phone("phone", "联系电话", "phone"),
    Sens(EnumF("father_status", "父亲情况", "father's status", kParentStatus)),
    Sens(Past(DateF("father_status_since", "父亲情况起始日期", "father's status since"))),
    Sens(DateF("father_status_until", "父亲情况预计结束日期", "father's status until")),
    Sens(Text("father_work_place", "父亲务工地", "father's place of work")),
    Sens(EnumF("mother_status", "母亲情况", "mother's status", kParentStatus)),
    Sens(Past(DateF("mother_status_since", "母亲情况起始日期", "mother's status since"))),
    Sens(DateF("mother_status_until", "母亲情况预计结束日期", "mother's status until")),
    Sens(Text("mother_work_place", "母亲务工地", "mother's place of work")),
    Bool("found_abandoned", "查找不到生父母", "birth parents cannot be found"),
    Sens(AsSet(EnumF("difficulty", "困境情形", "difficulty", kDifficulty))),
    AsSet(EnumF("living_support", "生活保障", "living support", kLivingSupport)),
    Sens(Long("living_notes", "生活保障情况", "living conditions")),
    AsSet(Ref("guardians", "监护人", "guardians")),
    Ref("entrusted_guardian", "受委托监护人", "entrusted guardian"),
    Sens(EnumF("guardianship", "家庭监护情况", "family guardianship", kGuardianship)),
    Sens(Long("guardianship_notes", "家庭监护说明", "guardianship notes")),
    Text("school", "就读学校", "school", 100),
    Text("grade", "年级", "grade", 32),
    EnumF("school_level", "就学情况", "schooling", kSchoolLevel),
    EnumF("schooling_completed", "最高完成学历", "highest schooling completed",
          kSchoolingCompleted),
    EnumF("study_aid_wish", "福彩助学意愿", "study-aid wish", kYesNo),
    Sens(EnumF("health", "健康状况", "health", kHealth)),
    Sens(IntF("disability_grade", "残疾等级", "disability grade", 1, 4)),
    Sens(EnumF("disability_type", "残疾类别", "disability type", kDisabilityType)),
    // Fields of the national-system export (docs/export.md); all optional.
    EnumF("ethnic_group", "民族（GB 3304）", "ethnic group (GB 3304 code)", kEthnicGroup),
    EnumF("hukou_class", "户口分类", "household registration class", kHukouClass),
    Bool("boarding", "是否学校寄宿", "boards at school"),
    Sens(EnumF("guardianship_type", "监护类型", "guardianship type", kGuardianshipType)),
    Sens(AsSet(EnumF("income_sources", "家庭经济来源", "family income sources", kIncomeSource))),
    Sens(AsSet(EnumF("aid_received", "救助帮扶情况", "aid received", kAidReceived))),
    EnumF("exit_reason", "退出原因", "exit reason", kExitReason),
    Sens(Long("health_notes", "健康说明", "health notes")),
    Ref("consent_by", "同意人（监护人）", "consent given by (guardian)"),
    Past(DateF("consent_on", "同意日期", "consent date")),
    EnumF("programme_status", "在册状态", "programme status", kProgrammeStatus),
    Unit("moved_to", "迁入单位", "moved to unit"),
    Unit("moved_from", "迁出单位", "moved from unit"),
};

constexpr FieldSpec kGuardianFields[] = {
    Req(Sens(Text("name", "姓名", "name", 64))),
    Req(EnumF("relation", "与儿童关系", "relation to child", kRelation)),
    EnumF("gender", "性别", "gender", kGender),
    Past(DateF("birth_date", "出生日期", "birth date")),
    IdNo("id_number", "身份证号", "ID number"),
    Phone("phone", "联系电话", "phone"),
    Sens(Text("address", "住址", "address")),
    Sens(Text("work_place", "工作地点", "place of work")),
    EnumF("capacity", "监护能力", "guardianship capacity", kCapacity),
    AsSet(Ref("children", "监护儿童", "children")),
};

constexpr FieldSpec kHelperFields[] = {
    Req(Sens(Text("name", "姓名", "name", 64))),
    EnumF("gender", "性别", "gender", kGender),
    Req(EnumF("kind", "帮扶人类型", "helper kind", kHelperKind)),
    Bool("loving_parent", "爱心家长（爱心爸爸/妈妈）", "volunteer parent"),
    Phone("phone", "联系电话", "phone"),
    Text("work_unit", "工作单位", "work unit"),
    Past(DateF("joined_on", "加入日期", "joined on")),
    Bool("active", "在岗", "active"),
};

constexpr FieldSpec kPairingFields[] = {
    Req(Ref("helper", "帮扶人", "helper")),
    Req(Ref("child", "儿童", "child")),
    Req(EnumF("kind", "结对类型", "pairing kind", kPairingKind)),
    Req(DateF("start_date", "结对日期", "start date")),
    DateF("end_date", "结束日期", "end date"),
    Text("card_no", "困难帮扶联系卡编号", "assistance contact card number", 32),
    Sens(Long("card_needs", "帮扶需求", "needs on the contact card")),
    Long("card_plan", "帮扶措施", "assistance plan on the contact card"),
    AsLog(Base("assistance", ValueType::kAssistance, "帮扶记录", "assistance given")),
};

constexpr FieldSpec kTrainingFields[] = {
    Req(EnumF("kind", "培训类型", "training kind", kTrainingKind)),
    Req(Text("title", "培训主题", "title")),
    AsSet(EnumF("audience", "培训对象", "audience", kAudience)),
    Req(DateF("start_date", "开始日期", "start date")),
    DateF("end_date", "结束日期", "end date"),
    IntF("hours", "学时", "hours", 0, 2000),
    IntF("attendance", "参训人数", "attendance", 0, 100000),
    AsSet(Ref("participants", "参训人员", "participants")),
    Ref("organisation", "承办机构", "organised by"),
};

constexpr FieldSpec kContactFields[] = {
    Req(EnumF("kind", "联系方式", "contact kind", kContactKind)),
    Req(Ref("child", "儿童", "child")),
    Req(Ref("helper", "帮扶人", "helper")),
    Req(Past(DateF("date", "日期", "date"))),
    IntF("minutes", "时长（分钟）", "minutes", 0, 1440),
    Sens(Long("notes", "情况记录", "notes")),
    EnumF("counterpart", "联系对象", "contact with", kCounterpart),
    EnumF("parent_relation", "外出父母", "which parent", kParentRelation),
    Ref("parent", "父母（监护人记录）", "parent (guardian record)"),
};

constexpr FieldSpec kActivityFields[] = {
    Req(EnumF("kind", "活动类型", "activity kind", kActivityKind)),
    Req(Text("title", "活动名称", "title")),
    AsSet(EnumF("topics", "活动内容", "topics", kTopic)),
    Req(DateF("start_date", "开始日期", "start date")),
    Req(DateF("end_date", "结束日期", "end date")),
    Text("venue", "地点", "venue"),
    AsSet(Ref("participants", "参与儿童", "participants")),
    IntF("attendance", "参与人次", "attendance", 0, 1000000),
    Ref("organisation", "承办机构", "organised by"),
};

constexpr FieldSpec kCounsellingFields[] = {
    Req(Ref("child", "儿童", "child")),
    Req(Ref("counsellor", "辅导人员", "counsellor")),
    Req(Sens(EnumF("kind", "辅导类型", "kind", kCounsellingKind))),
    Req(Past(DateF("date", "日期", "date"))),
    Restr(Long("notes", "辅导记录", "session notes")),
    Restr(Long("assessment", "评估意见", "assessment")),
    Past(DateF("guardian_informed_on", "告知监护人日期", "guardian informed on")),
    Ref("guardian_informed", "告知的监护人", "guardian informed"),
};

// A mandatory report (强制报告). The system records the report and the report to the police; it
// never stands in for the report to the police (公安机关), which the reporter makes directly.
constexpr FieldSpec kReportFields[] = {
    Req(Restr(EnumF("harm", "侵害类型", "harm", kHarm))),
    Ref("child", "儿童", "child"),
    Sens(Text("child_name", "儿童姓名（未建档）", "child's name (no record yet)", 64)),
    Req(EnumF("reporter_role", "报告人身份", "reporter role", kReporterRole)),
    Req(Who(Text("reporter_name", "报告人", "reporter", 64))),
    Who(Text("reporter_org", "报告人单位", "reporter's organisation", 100)),
    Req(Who(Phone("reporter_phone", "报告人联系方式", "reporter contact"))),
    Past(TimeF("discovered_at", "发现时间", "discovered at")),
    Req(Past(TimeF("reported_at", "报告时间", "reported at"))),
    Req(Restr(Long("description", "情况描述", "description"))),
    Sens(Text("location", "发生地点", "location")),
    Req(EnumF("police_informed", "公安机关报案", "reported to the police", kPoliceInformed)),
    Past(TimeF("police_reported_at", "报案时间", "reported to the police at")),
    Who(Text("police_reported_by", "报案人", "reported to the police by", 64)),
    Text("police_unit", "受案公安机关", "police unit", 100),
    Sens(Text("police_receipt_no", "受案回执号", "police receipt number", 64)),
    StepLog("emergency_steps", "应急处置记录", "emergency handling steps", kEmergencyAction),
    StepLog("guardianship_steps", "监护干预记录", "guardianship intervention steps",
            kGuardianshipAction),
    IntF("ack_deadline_minutes", "接收时限（分钟）", "acknowledgement deadline (minutes)", 1,
         10080),
    AckLog(),
    Past(TimeF("acknowledged_at", "接收时间", "acknowledged at")),
    Ref("acknowledged_by", "接收人", "acknowledged by (user id)"),
    EnumF("status", "办理状态", "status", kCaseStatus),
    Past(TimeF("closed_at", "办结时间", "closed at")),
    AsLog(Text("receipts", "送达回执", "receipts (node, time)")),
    TimeF("escalated_at", "逾期上报时间", "escalated at"),
    TimeF("overdue_since", "逾期起始时间", "overdue since"),
    Unit("escalated_to", "上报单位", "escalated to unit"),
};

constexpr FieldSpec kHelpRequestFields[] = {
    Ref("child", "儿童", "child"),
    Sens(Text("child_name", "儿童姓名（未建档）", "child's name (no record yet)", 64)),
    Req(EnumF("channel", "求助渠道", "channel", kChannel)),
    Req(EnumF("requester", "求助人", "requester", kRequester)),
    Who(Text("requester_name", "求助人姓名", "requester's name", 64)),
    Who(Phone("requester_phone", "求助人联系方式", "requester contact")),
    Req(Restr(EnumF("need", "求助事项", "need", kNeed))),
    Bool("immediate_danger", "处于紧急危险", "in immediate danger"),
    Req(Past(TimeF("reported_at", "求助时间", "requested at"))),
    Restr(Long("description", "求助内容", "description")),
    Sens(Text("location", "所在位置", "location")),
    EnumF("police_informed", "公安机关报案", "reported to the police", kPoliceInformed),
    Past(TimeF("police_reported_at", "报案时间", "reported to the police at")),
    Who(Text("police_reported_by", "报案人", "reported to the police by", 64)),
    Text("police_unit", "受案公安机关", "police unit", 100),
    Sens(Text("police_receipt_no", "受案回执号", "police receipt number", 64)),
    StepLog("emergency_steps", "应急处置记录", "emergency handling steps", kEmergencyAction),
    IntF("ack_deadline_minutes", "接收时限（分钟）", "acknowledgement deadline (minutes)", 1,
         10080),
    AckLog(),
    Past(TimeF("acknowledged_at", "接收时间", "acknowledged at")),
    Ref("acknowledged_by", "接收人", "acknowledged by (user id)"),
    EnumF("status", "办理状态", "status", kCaseStatus),
    Past(TimeF("closed_at", "办结时间", "closed at")),
    AsLog(Text("receipts", "送达回执", "receipts (node, time)")),
    TimeF("escalated_at", "逾期上报时间", "escalated at"),
    TimeF("overdue_since", "逾期起始时间", "overdue since"),
    Unit("escalated_to", "上报单位", "escalated to unit"),
};

constexpr FieldSpec kInterventionFields[] = {
    Req(Ref("case", "关联报告/求助", "report or help request")),
    Ref("child", "儿童", "child"),
    Req(Sens(EnumF("kind", "处置类型", "kind", kInterventionKind))),
    Req(Past(DateF("date", "日期", "date"))),
    AsLog(Restr(Long("steps", "处置步骤", "steps"))),
    Restr(Long("outcome", "处置结果", "outcome")),
};

constexpr FieldSpec kReferralFields[] = {
    Req(Ref("case", "关联报告/求助", "report or help request")),
    Req(EnumF("to", "转介单位", "referred to", kReferralTo)),
    Req(Past(DateF("date", "转介日期", "date"))),
    Restr(Long("notes", "转介说明", "notes")),
    Restr(Long("response", "反馈情况", "response")),
    EnumF("status", "转介状态", "referral status", kReferralStatus),
    DateF("follow_up_due", "下次跟进日期", "next follow-up due"),
    AsLog(Restr(Long("follow_ups", "跟进记录", "follow-ups"))),
    Past(DateF("closed_on", "办结日期", "closed on")),
};

constexpr FieldSpec kPatrolFields[] = {
    Req(Past(DateF("date", "巡防日期", "date"))),
    Req(Ref("patroller", "巡防人员", "patroller")),
    Text("area", "网格区域", "grid area"),
    AsSet(Ref("children_seen", "走访儿童", "children seen")),
    Sens(Long("issues", "发现问题", "issues found")),
    Bool("follow_up", "需跟进", "needs follow-up"),
};

constexpr FieldSpec kOrganisationFields[] = {
    Req(Text("name", "机构名称", "name", 100)),
    Req(EnumF("kind", "机构类型", "kind", kOrgKind)),
    IntF("tier", "分级", "tier", 1, 3),
    EnumF("level", "层级", "level", kLevel),
    Sens(Text("contact_person", "联系人", "contact person", 64)),
    Phone("phone", "联系电话", "phone"),
    AsSet(EnumF("services", "服务内容", "services", kService)),
};

constexpr FieldSpec kMeetingFields[] = {
    Req(Past(DateF("date", "会议日期", "date"))),          Req(Text("title", "会议名称", "title")),
    AsSet(Ref("attendees", "参会单位/人员", "attendees")), Long("agenda", "会议议题", "agenda"),
    AsLog(Long("follow_ups", "跟进事项", "follow-ups")),
};

constexpr FieldSpec kTransferFields[] = {
    Req(Ref("child", "儿童", "child")),           Req(Unit("from_scope", "迁出单位", "from unit")),
    Req(Unit("to_scope", "迁入单位", "to unit")), Req(DateF("date", "迁移日期", "date")),
    Text("reason", "迁移原因", "reason"),
};

constexpr FieldSpec kLegalConsultationFields[] = {
    Ref("child", "儿童", "child"),
    Ref("case", "关联报告/求助", "report or help request"),
    Req(Past(DateF("date", "咨询日期", "date"))),
    Req(EnumF("topic", "咨询事项", "topic", kConsultTopic)),
    Text("consultant", "解答律师/机构", "answered by", 100),
    Restr(Long("question", "咨询内容", "question")),
    Restr(Long("answer", "解答意见", "answer")),
    DateF("follow_up_due", "下次跟进日期", "next follow-up due"),
    AsLog(Restr(Long("follow_ups", "跟进记录", "follow-ups"))),
    Ref("referral", "转介记录", "referral"),
    Past(DateF("closed_on", "办结日期", "closed on")),
};

constexpr FieldSpec kFacilityFields[] = {
    Req(EnumF("kind", "阵地类型", "facility kind", kFacilityKind)),
    Req(Text("name", "阵地名称", "name", 100)),
    Text("address", "地址", "address"),
    Past(DateF("opened_on", "启用日期", "opened on")),
    IntF("area_m2", "面积（平方米）", "area (m²)", 0, 100000),
    Text("open_hours", "开放时间", "opening hours", 100),
    Phone("phone", "联系电话", "phone"),
    Bool("active", "在用", "in use"),
};

// Who is responsible where: one post per person and unit (儿童主任 of a village, 儿童督导员 of a
// town), since when, and the trainings they took (training records).
constexpr FieldSpec kStaffPostFields[] = {
    Req(EnumF("role", "岗位", "post", kPostRole)),
    Req(Ref("person", "人员（帮扶人记录）", "person (helper record)")),
    Req(Sens(Text("name", "姓名", "name", 64))),
    Req(Unit("unit", "负责单位", "unit responsible for")),
    Req(Past(DateF("since", "任职日期", "in post since"))),
    DateF("until", "离任日期", "left post on"),
    Phone("phone", "联系电话", "phone"),
    AsSet(Ref("trainings", "参加培训", "trainings taken")),
    Bool("certified", "持证上岗", "certified"),
};

// An inspection visit (督查) of a unit; each required correction is a record of its own.
constexpr FieldSpec kInspectionFields[] = {
    Req(Unit("unit", "被督查单位", "unit inspected")),
    Req(Past(DateF("date", "督查日期", "date"))),
    Req(Text("inspectors", "督查人员", "inspected by", 200)),
    Req(Long("findings", "督查发现", "findings")),
    IntF("score", "督查评分", "score given", 0, 100),
};

constexpr FieldSpec kCorrectionFields[] = {
    Req(Ref("inspection", "督查记录", "inspection")),
    Req(Unit("unit", "整改单位", "unit to correct")),
    Req(Text("item", "整改事项", "item to correct", 200)),
    Req(DateF("due", "整改期限", "due by")),
    Past(DateF("completed_on", "整改完成日期", "completed on")),
    Long("notes", "整改说明", "notes"),
};

// Ring-fenced funds (专项资金): an allocation to a unit for one work, or spending of it.
constexpr FieldSpec kFundFields[] = {
    Req(EnumF("kind", "资金类型", "allocation or spending", kFundKind)),
    Req(EnumF("work", "所属工程", "work", kWork)),
    Req(Unit("unit", "使用单位", "unit")),
    Req(Money("amount", "金额（元）", "amount (yuan)")),
    Req(Past(DateF("date", "日期", "date"))),
    Text("source", "资金来源", "source", 100),
    Text("purpose", "用途", "purpose", 200),
    Text("voucher_no", "凭证号", "voucher number", 64),
};

// A person's account for the admin web and the CLI (users.h). The record lives in the scope of
// `unit`, the unit the person works at, so that it replicates down to every node where they may
// log in. `password_hash` is libsodium's crypto_pwhash_str string (argon2id).
constexpr FieldSpec kUserFields[] = {
    Req(Text("login", "登录名", "login", 32)),
    Sens(Text("display_name", "姓名", "name", 64)),
    Req(EnumF("role", "角色", "role", kUserRole)),
    Req(Unit("unit", "所在单位", "unit")),
    Ref("helper", "帮扶人记录（爱心家长）", "helper record (caring parent)"),
    Req(Secret(Text("password_hash", "密码摘要", "password hash (argon2id)", 128))),
    Bool("disabled", "已停用", "disabled"),
    Past(TimeF("password_changed_at", "密码修改时间", "password changed at")),
};

// One entry of a node's audit log — a login, a read of a record about a person, an export, a
// change of a user account, a backup, a revocation: who, when, what, from where — copied by the
// node from its own log (store.h AppendAudit) into a record, so that it replicates up to the
// town and the city (node/core/core.h ShipAudit). Written by nodes only, never by a person.
// Its id is "<node id>-<entry number>", so copying an entry again lands on the same record.
constexpr FieldSpec kAuditFields[] = {
    Req(TimeF("at", "时间", "time")),
    Req(Text("action", "操作", "action", 32)),
    Sens(Text("user", "用户", "user", 64)),
    Unit("unit", "用户所在单位", "user's unit"),
    Req(Sens(Long("entry", "日志内容", "entry"))),
    Req(Text("node", "记录节点", "recorded by node", 16)),
    Req(IntF("seq", "节点日志序号", "entry number at the node", 1, INT64_MAX)),
};

// Whether a town's or the city's own records of a type stay out of its villages (office_only).
constexpr bool kOffice = true;
constexpr bool kRegistry = false;

constexpr RecordTypeSpec kTypes[] = {
    {kChild, "儿童", "child", kChildFields, kOffice},
    {kGuardian, "监护人", "guardian", kGuardianFields, kOffice},
    {kHelper, "帮扶人/爱心家长", "helper", kHelperFields, kRegistry},
    {kPairing, "结对", "pairing", kPairingFields, kOffice},
    {kTraining, "培训", "training", kTrainingFields, kRegistry},
    {kContact, "联系记录", "contact", kContactFields, kOffice},
    {kActivity, "活动", "activity", kActivityFields, kRegistry},
    {kCounselling, "心理健康辅导", "counselling", kCounsellingFields, kOffice},
    {kReport, "强制报告", "mandatory report", kReportFields, kOffice},
    {kHelpRequest, "求助", "help request", kHelpRequestFields, kOffice},
    {kIntervention, "应急处置/监护干预", "intervention", kInterventionFields, kOffice},
    {kReferral, "转介", "referral", kReferralFields, kOffice},
    {kPatrol, "网格化巡防", "grid patrol", kPatrolFields, kOffice},
    {kOrganisation, "社会组织", "organisation", kOrganisationFields, kRegistry},
    {kMeeting, "联络员会议", "liaison meeting", kMeetingFields, kRegistry},
    {kTransfer, "迁移", "transfer", kTransferFields, kOffice},
    {kLegalConsultation, "法律咨询", "legal consultation", kLegalConsultationFields, kOffice},
    {kFacility, "服务阵地", "facility", kFacilityFields, kRegistry},
    {kStaffPost, "儿童主任/儿童督导员任职", "director or supervisor post", kStaffPostFields,
     kRegistry},
    {kInspection, "督查", "inspection", kInspectionFields, kRegistry},
    {kCorrection, "整改事项", "required correction", kCorrectionFields, kRegistry},
    {kFund, "专项资金", "ring-fenced funds", kFundFields, kOffice},
    // Kept in the user's own unit scope, never an office scope: a village director logs in at
    // the village node, which holds no office scope (docs/programme.md, "Where records live").
    {kUser, "用户", "user account", kUserFields, kRegistry},
    // A village's entries in its own scope; a town's and the city's in their office scope, which
    // flows up and never down to a village.
    {kAudit, "审计日志", "audit log entry", kAuditFields, kOffice},
};

}  // namespace

const FieldSpec* RecordTypeSpec::Find(std::string_view field) const {
  for (const FieldSpec& f : fields) {
    if (f.name == field) return &f;
  }
  return nullptr;
}

std::span<const RecordTypeSpec> RecordTypes() { return kTypes; }

const RecordTypeSpec* FindRecordType(std::string_view name) {
  for (const RecordTypeSpec& t : kTypes) {
    if (t.name == name) return &t;
  }
  return nullptr;
}

bool IsOfficeOnlyType(std::string_view type) {
  const RecordTypeSpec* spec = FindRecordType(type);
  return spec == nullptr || spec->office_only;
}

const EnumValue* FindEnum(std::span<const EnumValue> values, std::string_view code) {
  for (const EnumValue& v : values) {
    if (v.code == code) return &v;
  }
  return nullptr;
}

std::span<const EnumValue> CategoryValues() { return kCategory; }
std::span<const EnumValue> GenderValues() { return kGender; }
std::span<const EnumValue> SchoolLevelValues() { return kSchoolLevel; }
std::span<const EnumValue> ContactKindValues() { return kContactKind; }
std::span<const EnumValue> ActivityKindValues() { return kActivityKind; }
std::span<const EnumValue> ParentStatusValues() { return kParentStatus; }
std::span<const EnumValue> HarmValues() { return kHarm; }
std::span<const EnumValue> WorkValues() { return kWork; }
std::span<const EnumValue> ReferralToValues() { return kReferralTo; }
std::span<const EnumValue> UserRoleValues() { return kUserRole; }

}  // namespace fulei::programme
