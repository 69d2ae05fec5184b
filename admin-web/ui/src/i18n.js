// The UI's own words, zh-CN first (the default) and English. Record types, fields and code
// lists come from GET /api/v1/types with their own zh/en labels (schema.js).
import { createI18n } from 'vue-i18n'

const zh = {
  app: { title: '福蕾行动计划', subtitle: '晋江市儿童关爱信息平台', lang: 'English', menu: '菜单' },
  common: {
    loading: '正在加载…', empty: '暂无数据', save: '保存', cancel: '取消', add: '新增', edit: '修改',
    search: '搜索', reset: '重置', back: '返回', refresh: '刷新', submit: '提交', confirm: '确认',
    close: '关闭', yes: '是', no: '否', hidden: '已隐藏', unit: '所属单位', actions: '操作',
    detail: '详情', total: '共 {n} 条', noPermission: '无权查看', noPermissionHint: '您的角色无权查看此内容。',
    retry: '重试', saved: '已保存', created: '已新增', field: '字段', more: '加载更多', print: '打印',
    all: '全部', none: '无', choose: '请选择', time: '时间', user: '用户', id: '编号', optional: '选填',
    required: '必填', notFound: '未找到该记录', offline: '无法连接节点', entries: '条目',
    addEntry: '追加一条', logHint: '记录只能追加，不能修改', now: '现在',
  },
  menu: {
    dashboard: '数据看板', children: '儿童', familyCare: '结对/谈心/家访', activities: '活动',
    counselling: '心理辅导', studyAid: '福彩助学', reports: '强制报告/求助', organisation: '社会组织',
    training: '培训', meeting: '联络会议', sync: '同步状态', exports: '导出', audit: '审计日志',
    users: '用户', inspection: '督查', records: '其他记录', myChildren: '我的结对儿童', contacts: '谈心/家访',
  },
  header: { report: '立即报告', logout: '退出登录', logoutShort: '退出', upstreamOffline: '上级节点离线，数据将在连接恢复后同步' },
  login: {
    title: '登录', login: '登录名', password: '密码', submit: '登录', failed: '登录失败',
    tooMany: '尝试次数过多，请 {s} 秒后再试', hint: '请使用本单位分配的账号登录',
  },
  roles: {
    director: '儿童主任', supervisor: '儿童督导员', town_office: '社会事务办', city_bureau: '民政局',
    counsellor: '心理辅导师', caring_parent: '爱心家长', auditor: '审计人员',
  },
  levels: { village: '村（社区）', town: '镇（街道）', city: '市' },
  dash: {
    children: '在册儿童', byCategory: '儿童类别', byUnit: '各单位儿童数', familyCare: '亲情关爱达标率',
    talkRate: '本月谈心', visitRate: '本季家访', familyCareChildren: '亲情关爱儿童',
    activities: '本年活动开展', held: '场次', days: '天数', attendance: '人次', reports: '强制报告',
    helpRequests: '求助', open: '待接收', overdue: '逾期未接收', escalated: '已升级', acknowledged: '已接收',
    closedN: '已办结', medianAck: '接收用时中位数', minutes: '{n} 分钟', studyAid: '福彩助学对象',
    willing: '有意愿', helpers: '帮扶人', lovingParents: '爱心家长', unitScope: '统计范围',
  },
  children: {
    title: '儿童', add: '新增儿童', searchHint: '姓名、编号等', history: '修改历史', conflicts: '冲突',
    transfer: '迁移', transferTo: '迁入村（社区）', transferDone: '已迁移', resolve: '采用此值',
    resolved: '冲突已解决', noConflicts: '无冲突', stale: '已被他人修改',
    staleHint: '此记录在您编辑期间已被他人修改。已重新载入最新内容，请核对后再修改。',
    reload: '重新载入', fields: '基本信息', sections: {
      basic: '基本信息', category: '儿童类别', parents: '父母情况', living: '生活保障与监护',
      school: '就学情况', health: '健康状况', other: '其他',
    },
    changedBy: '修改人', op: '操作', value: '值', recordChanged: '此记录已有新的修改',
  },
  family: {
    overdue: '逾期', overdueHint: '每月至少谈心一次、每季度至少家访一次', pairings: '结对', contacts: '谈心/家访',
    talk: '谈心', visit: '家访', what: '事项', since: '起始', periods: '逾期期数', child: '儿童', helper: '帮扶人',
    quickVisit: '登记家访', quickTalk: '登记谈心', visitSaved: '已登记', noOverdue: '没有逾期的谈心或家访',
  },
  reports: {
    title: '强制报告/求助', new: '立即报告', advice: '如儿童正面临危险，请立即拨打110报警',
    adviceMore: '本系统登记报告并送达镇、市，不会代替向公安机关报案。', kindReport: '强制报告',
    kindHelp: '求助', status: '状态', delivered: '已送达', acked: '已确认', escalated: '已升级',
    waiting: '待确认', ack: '确认接收', acked_ok: '已确认接收', filedAt: '报告时间', receipts: '送达回执',
    acks: '接收确认', notReceived: '尚未送达上级', overdueSince: '逾期起始', filed: '报告已提交，正在送达镇、市',
    live: '实时更新', noRight: '您的角色不能在系统中登记报告，请立即拨打110，并联系本村儿童主任或镇社会事务办。',
    statusCodes: { open: '待接收', acknowledged: '已接收', handling: '处置中', closed: '已办结' },
    childHint: '已建档儿童填编号，未建档填姓名',
  },
  studyAid: {
    title: '福彩助学摸底', hint: '14周岁以上、初中或高中学历的困境儿童、孤儿可免费就读养老服务专业1至3年。',
    candidates: '可能符合条件的儿童（本页最多统计前 200 名，完整名单请导出）', age: '年龄', wish: '意愿',
  },
  sync: {
    title: '同步状态', node: '本节点', started: '启动时间', ops: '已应用操作', peers: '连接的节点',
    direction: '方向', upstream: '上级', downstream: '下级', connected: '已连接', disconnected: '未连接',
    lastSynced: '最近同步', protocol: '协议', sent: '发送', received: '接收', units: '组织单位',
    level: '层级', never: '从未同步', self: '本单位',
  },
  exports: {
    title: '导出', children: '儿童名册', study_aid: '福彩助学名单', family_care_overdue: '亲情关爱逾期名单',
    hint: '导出内容按您的权限脱敏，并记入审计日志。', scope: '导出范围',
  },
  audit: {
    title: '审计日志', seq: '序号', action: '操作', what: '对象', from: '来源', since: '起始日期', until: '截止日期',
    recordedAt: '记录单位', hint: '本单位及下级单位的登录、查看儿童信息、导出、用户变更和备份记录（下级单位的记录在同步后显示）。',
    actions: { login: '登录', read: '查看记录', export: '导出', 'user.add': '新增用户', 'user.change': '修改用户', backup: '备份', restored: '从备份恢复', revoke: '吊销节点' },
    outcome: { ok: '成功', refused: '被拒绝（密码错误或无此账户）', disabled: '被拒绝（账户已停用）' },
  },
  users: {
    title: '用户', add: '新增用户', login: '登录名', name: '姓名', role: '角色', password: '初始密码',
    disabled: '已停用', active: '在用', disable: '停用', enable: '启用', passwordHint: '至少 8 个字符',
  },
  inspection: {
    title: '督查', towns: '镇（街道）得分', villages: '村（社区）得分', score: '得分', items: '扣分项与说明',
    points: '扣分', sample: '抽查儿童档案', printed: '打印时间', corrections: '未完成的整改事项', item: '整改事项', due: '整改期限',
  },
  records: { add: '新增', none: '暂无记录', notFound: '未知的记录类型' },
}

const en = {
  app: { title: 'Fulei Action Plan', subtitle: 'Jinjiang child care records', lang: '中文', menu: 'Menu' },
  common: {
    loading: 'Loading…', empty: 'Nothing here yet', save: 'Save', cancel: 'Cancel', add: 'Add', edit: 'Edit',
    search: 'Search', reset: 'Reset', back: 'Back', refresh: 'Refresh', submit: 'Submit', confirm: 'Confirm',
    close: 'Close', yes: 'Yes', no: 'No', hidden: 'Hidden', unit: 'Unit', actions: 'Actions', detail: 'Details',
    total: '{n} in all', noPermission: 'Not allowed', noPermissionHint: 'Your role may not see this.',
    retry: 'Retry', saved: 'Saved', created: 'Added', field: 'field', more: 'Load more', print: 'Print',
    all: 'All', none: 'None', choose: 'Choose', time: 'Time', user: 'User', id: 'ID', optional: 'optional',
    required: 'required', notFound: 'No such record', offline: 'Cannot reach the node', entries: 'entries',
    addEntry: 'Add an entry', logHint: 'Entries can only be added, never changed', now: 'Now',
  },
  menu: {
    dashboard: 'Dashboard', children: 'Children', familyCare: 'Pairings & contacts', activities: 'Activities',
    counselling: 'Counselling', studyAid: 'Study aid', reports: 'Urgent reports', organisation: 'Organisations',
    training: 'Trainings', meeting: 'Liaison meetings', sync: 'Sync status', exports: 'Exports', audit: 'Audit log',
    users: 'Users', inspection: 'Inspection', records: 'Other records', myChildren: 'My children', contacts: 'Talks & visits',
  },
  header: { report: 'Report now', logout: 'Log out', logoutShort: 'Exit', upstreamOffline: 'Upstream node offline; data will sync when the link is back' },
  login: {
    title: 'Log in', login: 'Login', password: 'Password', submit: 'Log in', failed: 'Login failed',
    tooMany: 'Too many attempts; try again in {s} s', hint: 'Use the account your unit gave you',
  },
  roles: {
    director: "Children's director", supervisor: 'Supervisor', town_office: 'Town office', city_bureau: 'City bureau',
    counsellor: 'Counsellor', caring_parent: 'Caring parent', auditor: 'Auditor',
  },
  levels: { village: 'Village', town: 'Town', city: 'City' },
  dash: {
    children: 'Children', byCategory: 'By category', byUnit: 'Children by unit', familyCare: 'Family care',
    talkRate: 'Talked this month', visitRate: 'Visited this quarter', familyCareChildren: 'Family-care children',
    activities: 'Activities this year', held: 'Held', days: 'Days', attendance: 'Attendance', reports: 'Urgent reports',
    helpRequests: 'Help requests', open: 'Open', overdue: 'Overdue', escalated: 'Escalated', acknowledged: 'Acknowledged',
    closedN: 'Closed', medianAck: 'Median time to acknowledge', minutes: '{n} min', studyAid: 'Study-aid candidates',
    willing: 'willing', helpers: 'Helpers', lovingParents: 'Caring parents', unitScope: 'Scope',
  },
  children: {
    title: 'Children', add: 'Add a child', searchHint: 'Name, ID…', history: 'History', conflicts: 'Conflicts',
    transfer: 'Transfer', transferTo: 'To village', transferDone: 'Transferred', resolve: 'Keep this value',
    resolved: 'Conflict resolved', noConflicts: 'No conflicts', stale: 'Changed by someone else',
    staleHint: 'Someone changed this record while you were editing. The current version is loaded: check it and edit again.',
    reload: 'Reload', fields: 'Details', sections: {
      basic: 'Basic', category: 'Category', parents: 'Parents', living: 'Living and guardianship',
      school: 'Schooling', health: 'Health', other: 'Other',
    },
    changedBy: 'By', op: 'Op', value: 'Value', recordChanged: 'This record has changed',
  },
  family: {
    overdue: 'Overdue', overdueHint: 'At least one talk a month and one home visit a quarter', pairings: 'Pairings',
    contacts: 'Talks & visits', talk: 'Talk', visit: 'Home visit', what: 'Due', since: 'Since', periods: 'Periods', child: 'Child',
    helper: 'Helper', quickVisit: 'Log a home visit', quickTalk: 'Log a talk', visitSaved: 'Logged',
    noOverdue: 'No talks or visits overdue',
  },
  reports: {
    title: 'Urgent reports', new: 'Report now', advice: 'If a child is in danger now, call 110 (police) at once',
    adviceMore: 'This system records the report and delivers it to the town and city; it does not report to the police for you.',
    kindReport: 'Mandatory report', kindHelp: 'Help request', status: 'Status', delivered: 'Delivered', acked: 'Acknowledged',
    escalated: 'Escalated', waiting: 'Awaiting acknowledgement', ack: 'Acknowledge', acked_ok: 'Acknowledged',
    filedAt: 'Reported at', receipts: 'Receipts', acks: 'Acknowledgements', notReceived: 'Not delivered upstream yet',
    overdueSince: 'Overdue since', filed: 'Report filed; delivering to the town and city', live: 'Live',
    noRight: 'Your role may not file reports here: call 110 now, and tell the village director or the town office.',
    statusCodes: { open: 'Open', acknowledged: 'Acknowledged', handling: 'Handling', closed: 'Closed' },
    childHint: 'A child on record: the ID; otherwise the name',
  },
  studyAid: {
    title: 'Study-aid survey', hint: 'Orphans and children in difficulty aged 14 or more with junior or senior high schooling may study elder care free for 1–3 years.',
    candidates: 'Possible candidates (from the first 200 children; export for the full list)', age: 'Age', wish: 'Wish',
  },
  sync: {
    title: 'Sync status', node: 'This node', started: 'Started', ops: 'Ops applied', peers: 'Peers',
    direction: 'Direction', upstream: 'Upstream', downstream: 'Downstream', connected: 'Connected',
    disconnected: 'Disconnected', lastSynced: 'Last synced', protocol: 'Protocol', sent: 'Sent', received: 'Received',
    units: 'Org units', level: 'Level', never: 'Never', self: 'This unit',
  },
  exports: {
    title: 'Exports', children: 'Children register', study_aid: 'Study-aid list', family_care_overdue: 'Family-care overdue list',
    hint: 'Exports are redacted for your role and recorded in the audit log.', scope: 'Scope',
  },
  audit: {
    title: 'Audit log', seq: 'Seq', action: 'Action', what: 'What', from: 'From', since: 'From date', until: 'To date',
    recordedAt: 'Recorded at', hint: 'Logins, reads of a child\'s record, exports, user changes and backups in this unit and the units below it (theirs appear once they have synced).',
    actions: { login: 'Login', read: 'Read a record', export: 'Export', 'user.add': 'User added', 'user.change': 'User changed', backup: 'Backup', restored: 'Restored from a backup', revoke: 'Node revoked' },
    outcome: { ok: 'Succeeded', refused: 'Refused (wrong password or no such account)', disabled: 'Refused (account disabled)' },
  },
  users: {
    title: 'Users', add: 'Add a user', login: 'Login', name: 'Name', role: 'Role', password: 'Initial password',
    disabled: 'Disabled', active: 'Active', disable: 'Disable', enable: 'Enable', passwordHint: 'At least 8 characters',
  },
  inspection: {
    title: 'Inspection', towns: 'Towns', villages: 'Villages', score: 'Score', items: 'Items', points: 'Points lost',
    sample: 'Sample of child records to review', printed: 'Printed', corrections: 'Open corrections', item: 'Item', due: 'Due',
  },
  records: { add: 'Add', none: 'No records', notFound: 'Unknown record type' },
}

const KEY = 'fulei.lang'

export function savedLocale() {
  try {
    const v = localStorage.getItem(KEY)
    return v === 'en' ? 'en' : 'zh-CN'
  } catch {
    return 'zh-CN'
  }
}

export const i18n = createI18n({
  legacy: false,
  locale: savedLocale(),
  fallbackLocale: 'zh-CN',
  messages: { 'zh-CN': zh, en },
})

export function setLocale(l) {
  i18n.global.locale.value = l
  try {
    localStorage.setItem(KEY, l)
  } catch {
    /* private mode: the choice lasts for this page */
  }
  document.documentElement.lang = l
}

export const isZh = () => i18n.global.locale.value !== 'en'
