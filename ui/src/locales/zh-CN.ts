import type { Category } from '@/bindings/Category'
import type { EconomicStatus } from '@/bindings/EconomicStatus'
import type { Gender } from '@/bindings/Gender'
import type { LifeState } from '@/bindings/LifeState'
import type { Severity } from '@/bindings/Severity'
import type { VisitMode } from '@/bindings/VisitMode'

/** The Chinese label of every enum value the backend sends; a new variant in Rust fails the type check here. */
const enums = {
  gender: { male: '男', female: '女' } satisfies Record<Gender, string>,
  category: {
    living_alone: '独居',
    empty_nest: '空巢',
    left_behind: '留守',
    disabled: '失能',
    severely_disabled: '重残',
    family_planning_special: '计划生育特殊家庭',
    widowed_childless: '孤寡',
  } satisfies Record<Category, string>,
  economic_status: {
    none: '无',
    tekun_centralized: '特困供养(集中)',
    tekun_dispersed: '特困供养(分散)',
    dibao: '低保',
    low_income: '低收入',
    poverty_alleviated: '脱贫/建档立卡',
  } satisfies Record<EconomicStatus, string>,
  life_state: { active: '在册', moved: '迁出', deceased: '已故' } satisfies Record<LifeState, string>,
  visit_mode: { home: '上门', phone: '电话', video: '视频' } satisfies Record<VisitMode, string>,
  severity: { normal: '正常', attention: '关注', serious: '严重', urgent: '紧急' } satisfies Record<Severity, string>,
}

export default {
  app: {
    name: '乡邻',
    loadFailed: '无法读取本机数据',
    retry: '重试',
  },
  welcome: {
    title: '欢迎使用乡邻',
    noData: '这台电脑上还没有任何数据。',
    demoHint: '可以先打开内置的演示县，看看老人台账、探访记录如何使用。演示数据为随机生成，不涉及真实人员。',
    openDemo: '打开演示县（会昌县）',
    opening: '正在生成演示数据…',
  },
  nav: {
    village: '村级探访',
    township: '乡镇站',
    county: '县级审核',
    elders: '老人台账',
    visits: '探访记录',
    dueVisits: '待访清单',
    meals: '老年助餐',
    adaptation: '适老化改造',
    conflicts: '冲突与对账',
    reports: '审批与报表',
    later: '后续版本',
  },
  header: {
    noCounty: '未打开县',
    elders: '老人 {count} 人',
    device: '本机 {id}',
  },
  elders: {
    wholeCounty: '全县',
    searchPlaceholder: '姓名 / 拼音 / 首字母 / 身份证号',
    includeInactive: '含迁出/已故',
    empty: '没有符合条件的老人',
    hasConflicts: '有并发修改待县级审核',
    column: {
      name: '姓名',
      gender: '性别',
      age: '年龄',
      idNumber: '身份证号',
      village: '村',
      categories: '类别',
      economicStatus: '经济状况',
      life: '状态',
      phone: '电话',
    },
  },
  elder: {
    back: '返回台账',
    basics: '基本信息',
    name: '姓名',
    gender: '性别',
    birthDate: '出生日期',
    age: '年龄',
    idNumber: '身份证号',
    phone: '电话',
    address: '住址',
    place: '村/乡镇',
    economicStatus: '经济状况',
    life: '状态',
    movedTo: '迁往 {place}',
    categories: '类别',
    since: '自 {date}',
    noCategories: '无',
    contacts: '联系人',
    contact: { name: '姓名', relation: '关系', phone: '电话', supporter: '赡养人' },
    noContacts: '未登记联系人',
    conflictsTitle: '此记录有并发修改待县级审核',
    conflictValues: '{field}：{values}',
    visits: '近期探访',
    visit: { visitedAt: '时间', mode: '方式', visitor: '探访人', severity: '最重程度', summary: '摘要' },
    noVisits: '暂无探访记录',
    notes: '备注',
  },
  enum: enums,
}
