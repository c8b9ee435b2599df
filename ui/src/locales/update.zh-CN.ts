/** Text of updates from the county (有新版本): the header's notice and 安装更新's confirmation. */
export default {
  update: {
    downloading: '新版本 {version} 下载中 {percent}%',
    downloadingTip: '县里发布了新版本，正在后台下载；网络中断后会从断点继续，不影响使用。',
    failed: '新版本 {version} 暂未下载成功',
    install: '安装更新 {version}',
    restart: '{version} 已安装，下次打开时启用',
    installed: '更新已安装，将在下次打开乡邻时启用。',
    confirmTitle: '安装更新',
    confirm:
      '县里发布了乡邻 {version} 版（本机为 {running} 版，约 {size} MB），安装包已下载并通过签名校验。安装前会先备份本机数据；安装时系统会要求输入管理员密码。正在填写的内容不受影响，新版本在下次打开乡邻时启用。',
    later: '以后再说',
    installNow: '备份并安装',
  },
}
