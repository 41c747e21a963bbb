-- Neovim (0.7+) as a second real LSP client: start the server, open a save file, wait for the
-- diagnostics, ask for a hover and a completion, write what came back to $IPT_OUT, quit.
local out = {}
local function add(s) table.insert(out, (s:gsub('\n', ' '))) end
vim.cmd('edit ' .. vim.fn.fnameescape(vim.env.IPT_FILE))
local buf = vim.api.nvim_get_current_buf()
vim.bo[buf].filetype = 'iptables'
local id = vim.lsp.start_client({
  name = 'iptables',
  cmd = { vim.env.IPT_NODE, vim.env.IPT_SERVER, '--stdio' },
  root_dir = vim.fn.getcwd(),
  init_options = { locale = 'ja' },
})
vim.lsp.buf_attach_client(buf, id)
vim.wait(15000, function() return #vim.diagnostic.get(buf) > 0 end, 50)
for _, d in ipairs(vim.diagnostic.get(buf)) do add('diagnostic ' .. d.lnum .. ' ' .. d.message) end
local uri = vim.uri_from_bufnr(buf)
local hover = vim.lsp.buf_request_sync(buf, 'textDocument/hover', { textDocument = { uri = uri }, position = { line = 3, character = 12 } }, 10000)
for _, r in pairs(hover or {}) do if r.result then add('hover ' .. r.result.contents.value) end end
local comp = vim.lsp.buf_request_sync(buf, 'textDocument/completion', { textDocument = { uri = uri }, position = { line = 4, character = 10 } }, 10000)
for _, r in pairs(comp or {}) do
  local items = r.result and (r.result.items or r.result) or {}
  local labels = {}
  for _, it in ipairs(items) do table.insert(labels, it.label) end
  add('completion ' .. table.concat(labels, ' '))
end
vim.fn.writefile(out, vim.env.IPT_OUT)
vim.lsp.stop_client(id, true)
vim.cmd('qa!')
